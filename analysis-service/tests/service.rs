//! analysis-service on a free port with its real certificate and a real database.

use aval_analysis_service::{Application, store::Migrator};
use aval_mesh::{
    db_test,
    identity::MeshIdentity,
    testing::{TestDatabase, TestResult, TestService, assert_migrations_idempotent},
};
use aval_proto::analysis::v1::{
    GetAnalysisRequest, analysis_service_client::AnalysisServiceClient,
};
use tonic::Code;

async fn answers_health_over_mtls_and_enforces_its_allow_list(db: TestDatabase) -> TestResult {
    let service = TestService::spawn::<Application>(&db.url).await?;
    let gateway = service.channel_as(MeshIdentity::GATEWAY, MeshIdentity::ANALYSIS)?;
    service.wait_serving(gateway.clone()).await?;

    // Analyses need a partner's token, whoever relays the call.
    let anonymous = AnalysisServiceClient::new(gateway)
        .get_analysis(GetAnalysisRequest::default())
        .await;
    assert_eq!(
        anonymous.err().map(|s| s.code()),
        Some(Code::Unauthenticated)
    );

    let score = service.channel_as(MeshIdentity::SCORE, MeshIdentity::ANALYSIS)?;
    let denied = AnalysisServiceClient::new(score)
        .get_analysis(GetAnalysisRequest::default())
        .await;
    assert_eq!(denied.err().map(|s| s.code()), Some(Code::PermissionDenied));

    service.stop().await
}
db_test!(answers_health_over_mtls_and_enforces_its_allow_list);

async fn migrations_run_twice_harmlessly(db: TestDatabase) -> TestResult {
    assert_migrations_idempotent::<Migrator>(&db.url).await
}
db_test!(migrations_run_twice_harmlessly);
