//! analysis-service on a free port with its real certificate and a real database.

use aval_analysis_service::Application;
use aval_proto::analysis::v1::{
    GetAnalysisRequest, analysis_service_client::AnalysisServiceClient,
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
    assert_allow_list(
        &service,
        &[
            rule(analysis, "SubmitLegalPersonAnalysis", partners),
            rule(analysis, "GetAnalysis", partners),
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
