//! billing-service on a free port with its real certificate and a real database.

use aval_billing_service::{Application, store::Migrator};
use aval_mesh::{
    db_test,
    identity::MeshIdentity,
    testing::{TestDatabase, TestResult, TestService, assert_migrations_idempotent},
};
use aval_proto::billing::v1::{
    GetUsageReportRequest, Product, RecordUsageRequest, UsageEvent,
    billing_service_client::BillingServiceClient,
};
use tonic::Code;

async fn answers_health_over_mtls_and_enforces_its_allow_list(db: TestDatabase) -> TestResult {
    let service = TestService::spawn::<Application>(&db.url).await?;
    let score = service.channel_as(MeshIdentity::SCORE, MeshIdentity::BILLING)?;
    service.wait_serving(score.clone()).await?;

    let mut client = BillingServiceClient::new(score);
    let empty = client
        .record_usage(RecordUsageRequest::default())
        .await?
        .into_inner();
    assert_eq!(empty.recorded, 0);
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

fn event(id: &str) -> UsageEvent {
    UsageEvent {
        event_id: id.to_owned(),
        tenant_id: "t1".to_owned(),
        product: Product::ConsumerScore.into(),
        occurred_at: Some(prost_types::Timestamp {
            seconds: chrono::Utc::now().timestamp(),
            nanos: 0,
        }),
        sandbox: false,
    }
}

async fn a_retried_batch_is_counted_once(db: TestDatabase) -> TestResult {
    let service = TestService::spawn::<Application>(&db.url).await?;
    let score = service.channel_as(MeshIdentity::SCORE, MeshIdentity::BILLING)?;
    service.wait_serving(score.clone()).await?;
    let mut client = BillingServiceClient::new(score);

    let batch = RecordUsageRequest {
        events: vec![event("e1"), event("e2"), event("e3")],
    };
    let first = client.record_usage(batch.clone()).await?.into_inner();
    assert_eq!((first.recorded, first.duplicates), (3, 0));
    // The acknowledgement was lost; the sender retries with one more event.
    let mut retry = batch;
    retry.events.push(event("e4"));
    let second = client.record_usage(retry).await?.into_inner();
    assert_eq!((second.recorded, second.duplicates), (1, 3));

    // An invalid event is refused with its index; nothing of that batch is recorded.
    let mut bad = event("e5");
    bad.product = Product::Unspecified.into();
    let refused = client
        .record_usage(RecordUsageRequest {
            events: vec![event("e6"), bad],
        })
        .await
        .err()
        .ok_or_else(|| anyhow::anyhow!("an unspecified product was accepted"))?;
    assert_eq!(refused.code(), Code::InvalidArgument);
    assert_eq!(
        aval_mesh::error::field_violations(&refused)[0].field,
        "events[1].product"
    );
    let e6 = client
        .record_usage(RecordUsageRequest {
            events: vec![event("e6")],
        })
        .await?
        .into_inner();
    assert_eq!(
        e6.recorded, 1,
        "the refused batch recorded nothing, not even its valid event"
    );
    service.stop().await
}
db_test!(a_retried_batch_is_counted_once);

async fn migrations_run_twice_harmlessly(db: TestDatabase) -> TestResult {
    assert_migrations_idempotent::<Migrator>(&db.url).await
}
db_test!(migrations_run_twice_harmlessly);
