//! billing-service on a free port with its real certificate and a real database.

use aval_billing_service::Application;
use aval_proto::usage::v1::{Product, RecordUsageRequest, UsageEvent, usage_client::UsageClient};
use aval_testkit::{
    TestDatabase, TestResult, TestService,
    access::{assert_allow_list, rule},
    db_test,
};
use aval_transport::identity::MeshIdentity as Id;
use tonic::Code;

async fn enforces_its_allow_list_over_mtls(db: TestDatabase) -> TestResult {
    let service = TestService::spawn::<Application>(&db.url).await?;
    // Delivering services report usage and ask for quota; they do not read reports.
    // Partners read their own reports (through the gateway or their internal clients).
    let billing = "aval.billing.v1.BillingService";
    let usage = "aval.usage.v1.Usage";
    assert_allow_list(
        &service,
        &[
            rule(usage, "RecordUsage", &[Id::SCORE, Id::ANALYSIS]),
            rule(usage, "CheckQuota", &[Id::SCORE, Id::ANALYSIS]),
            rule(
                billing,
                "GetUsageReport",
                &[Id::GATEWAY, Id::INTERNAL, Id::OPERATOR],
            ),
            rule(billing, "Subscribe", &[Id::OPERATOR]),
        ],
    )
    .await?;
    service.stop().await
}
db_test!(enforces_its_allow_list_over_mtls);

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
    let mut client = UsageClient::new(service.channel_as(Id::SCORE)?);

    // An empty batch is fine and records nothing.
    let empty = client
        .record_usage(RecordUsageRequest::default())
        .await?
        .into_inner();
    assert_eq!((empty.recorded, empty.duplicates), (0, 0));

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
        aval_transport::status::field_violations(&refused)[0].field,
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
