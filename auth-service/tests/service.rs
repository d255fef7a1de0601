//! auth-service on a free port with its real certificate and a real database.

use aval_auth_service::{Application, store::Migrator};
use aval_mesh::{
    db_test,
    identity::MeshIdentity,
    testing::{TestDatabase, TestResult, TestService, assert_migrations_idempotent},
};
use aval_proto::auth::v1::{
    GetJwksRequest, IssueTokenRequest, auth_service_client::AuthServiceClient,
};
use tonic::Code;

async fn answers_health_over_mtls_and_enforces_its_allow_list(db: TestDatabase) -> TestResult {
    let service = TestService::spawn::<Application>(&db.url).await?;
    let gateway = service.channel_as(MeshIdentity::GATEWAY, MeshIdentity::AUTH)?;
    service.wait_serving(gateway.clone()).await?;

    // The gateway may ask for tokens; the RPC is a declared stub until tokens are implemented.
    let stub = AuthServiceClient::new(gateway)
        .issue_token(IssueTokenRequest::default())
        .await;
    assert_eq!(stub.err().map(|s| s.code()), Some(Code::Unimplemented));

    // billing-service may fetch the JWKS but never ask for tokens.
    let billing = service.channel_as(MeshIdentity::BILLING, MeshIdentity::AUTH)?;
    let mut client = AuthServiceClient::new(billing);
    let denied = client.issue_token(IssueTokenRequest::default()).await;
    assert_eq!(denied.err().map(|s| s.code()), Some(Code::PermissionDenied));
    let allowed = client.get_jwks(GetJwksRequest::default()).await;
    assert_eq!(allowed.err().map(|s| s.code()), Some(Code::Unimplemented));

    service.stop().await
}
db_test!(answers_health_over_mtls_and_enforces_its_allow_list);

async fn migrations_run_twice_harmlessly(db: TestDatabase) -> TestResult {
    assert_migrations_idempotent::<Migrator>(&db.url).await
}
db_test!(migrations_run_twice_harmlessly);
