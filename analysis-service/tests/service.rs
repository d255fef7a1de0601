//! analysis-service on a free port with its real certificate and a real database.

use aval_analysis_service::Application;
use aval_proto::analysis::v1::{
    GetAnalysisRequest, ListAnalysesRequest, analysis_service_client::AnalysisServiceClient,
};
use aval_testkit::{
    TestDatabase, TestResult, TestService,
    access::{assert_allow_list, rule},
    db_test,
};
use aval_transport::identity::MeshIdentity as Id;
use tonic::Code;

async fn enforces_its_allow_list_and_wants_a_token(db: TestDatabase) -> TestResult {
    let service = TestService::spawn::<Application>(&db.url).await?;
    let analysis = "aval.analysis.v1.AnalysisService";
    let partners = &[Id::GATEWAY, Id::INTERNAL, Id::OPERATOR];
    let policies = "aval.analysis.v1.AnalysisPolicyService";
    let operator = &[Id::OPERATOR];
    assert_allow_list(
        &service,
        &[
            rule(analysis, "SubmitLegalPersonAnalysis", partners),
            rule(analysis, "SubmitNaturalPersonAnalysis", partners),
            rule(analysis, "GetAnalysis", partners),
            rule(analysis, "ListAnalyses", partners),
            rule(analysis, "GetAnalysisDetails", partners),
            rule(analysis, "ResolveAnalysis", partners),
            rule(analysis, "AnswerChallenge", partners),
            rule(analysis, "ReportCreditOutcome", partners),
            rule(analysis, "GetAnalysisHistory", partners),
            rule(analysis, "ReplayAnalysis", partners),
            rule(analysis, "GetPerformanceReport", partners),
            rule(policies, "PublishPolicy", operator),
            rule(policies, "ListPolicies", operator),
            rule(policies, "ActivatePolicy", operator),
            rule(policies, "DryRunPolicy", operator),
        ],
    )
    .await?;

    // Analyses need a partner's token, whoever relays the call.
    let anonymous = AnalysisServiceClient::new(service.channel_as(Id::GATEWAY)?)
        .get_analysis(GetAnalysisRequest::default())
        .await;
    assert_eq!(
        anonymous.err().map(|s| s.code()),
        Some(Code::Unauthenticated)
    );
    service.stop().await
}
db_test!(enforces_its_allow_list_and_wants_a_token);

/// `aval admin` calls with the operator's certificate and no token: it names the tenant, and
/// only its certificate may do so.
async fn the_operator_names_the_tenant_it_acts_for(db: TestDatabase) -> TestResult {
    let service = TestService::spawn::<Application>(&db.url).await?;
    let mut operator = AnalysisServiceClient::new(service.channel_as(Id::OPERATOR)?);
    let unnamed = operator
        .list_analyses(ListAnalysesRequest::default())
        .await
        .err();
    assert_eq!(unnamed.map(|s| s.code()), Some(Code::InvalidArgument));
    let page = operator
        .list_analyses(ListAnalysesRequest {
            tenant_id: "lender".to_owned(),
            ..ListAnalysesRequest::default()
        })
        .await?
        .into_inner();
    assert!(page.analyses.is_empty());
    assert!(page.next_page_token.is_empty());
    let missing = operator
        .get_analysis_history(GetAnalysisRequest {
            id: "never-submitted".to_owned(),
            tenant_id: "lender".to_owned(),
        })
        .await
        .err();
    assert_eq!(missing.map(|s| s.code()), Some(Code::NotFound));

    // The gateway naming a tenant without a token gets nothing.
    let relayed = AnalysisServiceClient::new(service.channel_as(Id::GATEWAY)?)
        .list_analyses(ListAnalysesRequest {
            tenant_id: "lender".to_owned(),
            ..ListAnalysesRequest::default()
        })
        .await
        .err();
    assert_eq!(relayed.map(|s| s.code()), Some(Code::Unauthenticated));
    service.stop().await
}
db_test!(the_operator_names_the_tenant_it_acts_for);
