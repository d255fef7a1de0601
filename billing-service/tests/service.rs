//! billing-service on a free port with its real certificate and a real database.

use aval_billing_service::{Application, store::Migrator};
use aval_mesh::{
    db_test,
    identity::MeshIdentity,
    testing::{TestDatabase, TestResult, TestService, assert_migrations_idempotent},
};
use aval_proto::billing::v1::{
    GetUsageReportRequest, RecordUsageRequest, billing_service_client::BillingServiceClient,
};
use tonic::Code;

async fn answers_health_over_mtls_and_enforces_its_allow_list(db: TestDatabase) -> TestResult {
    let service = TestService::spawn::<Application>(&db.url).await?;
    let score = service.channel_as(MeshIdentity::SCORE, MeshIdentity::BILLING)?;
    service.wait_serving(score.clone()).await?;

    let mut client = BillingServiceClient::new(score);
    let stub = client.record_usage(RecordUsageRequest::default()).await;
    assert_eq!(stub.err().map(|s| s.code()), Some(Code::Unimplemented));
    // Delivering services report usage; they do not read other tenants' reports.
    let denied = client
        .get_usage_report(GetUsageReportRequest::default())
        .await;
    assert_eq!(denied.err().map(|s| s.code()), Some(Code::PermissionDenied));

    let gateway = service.channel_as(MeshIdentity::GATEWAY, MeshIdentity::BILLING)?;
    let denied = BillingServiceClient::new(gateway)
        .record_usage(RecordUsageRequest::default())
        .await;
    assert_eq!(denied.err().map(|s| s.code()), Some(Code::PermissionDenied));

    service.stop().await
}
db_test!(answers_health_over_mtls_and_enforces_its_allow_list);

async fn migrations_run_twice_harmlessly(db: TestDatabase) -> TestResult {
    assert_migrations_idempotent::<Migrator>(&db.url).await
}
db_test!(migrations_run_twice_harmlessly);
