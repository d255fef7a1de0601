//! score-service on a free port with its real certificate and a real database.

use aval_mesh::{
    db_test,
    identity::MeshIdentity,
    testing::{TestDatabase, TestResult, TestService, assert_migrations_idempotent},
};
use aval_proto::score::v1::{
    GetScoreRequest, UpsertProfilesRequest, score_service_client::ScoreServiceClient,
};
use aval_score_service::{Application, store::Migrator};
use tonic::Code;

async fn answers_health_over_mtls_and_enforces_its_allow_list(db: TestDatabase) -> TestResult {
    let service = TestService::spawn::<Application>(&db.url).await?;
    let analysis = service.channel_as(MeshIdentity::ANALYSIS, MeshIdentity::SCORE)?;
    service.wait_serving(analysis.clone()).await?;

    let mut client = ScoreServiceClient::new(analysis);
    // The mesh certificate alone is not enough: scores need a partner's token.
    let anonymous = client.get_score(GetScoreRequest::default()).await;
    assert_eq!(
        anonymous.err().map(|s| s.code()),
        Some(Code::Unauthenticated)
    );
    // Only operators load profiles.
    let denied = client
        .upsert_profiles(UpsertProfilesRequest::default())
        .await;
    assert_eq!(denied.err().map(|s| s.code()), Some(Code::PermissionDenied));

    let billing = service.channel_as(MeshIdentity::BILLING, MeshIdentity::SCORE)?;
    let denied = ScoreServiceClient::new(billing)
        .get_score(GetScoreRequest::default())
        .await;
    assert_eq!(denied.err().map(|s| s.code()), Some(Code::PermissionDenied));

    service.stop().await
}
db_test!(answers_health_over_mtls_and_enforces_its_allow_list);

async fn migrations_run_twice_harmlessly(db: TestDatabase) -> TestResult {
    assert_migrations_idempotent::<Migrator>(&db.url).await
}
db_test!(migrations_run_twice_harmlessly);
