//! The outbox's flush and the quota cache against an in-process billing that a test programs:
//! what is acknowledged, what stays pending while billing fails, and which quota answer stands.

use aval_metering::{Outbox, Product, QuotaGate, QuotaVerdict, UsageRecord};
use aval_proto::usage::v1::{
    CheckQuotaRequest, CheckQuotaResponse, QuotaRefusal, RecordUsageRequest, RecordUsageResponse,
    usage_server::{Usage, UsageServer},
};
use aval_testkit::{Engine, TestDatabase, TestResult};
use aval_transport::{client::MeshChannel, shutdown::CancellationToken};
use std::sync::{Arc, Mutex};
use tonic::{Request, Response, Status};

const OUTBOX: Outbox = Outbox::new("test_usage_outbox");
aval_database::migrator!("test_seaql_migrations", [OUTBOX.migration()]);

/// What the fake billing answers, and what it was sent.
#[derive(Default)]
struct Billing {
    /// `None`: billing is failing (UNAVAILABLE).
    quota: Option<CheckQuotaResponse>,
    recording_fails: bool,
    /// How long each RecordUsage takes (so two shippers' batches overlap).
    recording_delay: std::time::Duration,
    quota_checks: usize,
    recorded: Vec<String>,
}

#[derive(Clone, Default)]
struct FakeBilling(Arc<Mutex<Billing>>);

impl FakeBilling {
    fn with<T>(&self, f: impl FnOnce(&mut Billing) -> T) -> T {
        // A poisoned lock means another test thread panicked: that test fails already.
        let mut state = self.0.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut state)
    }
}

#[tonic::async_trait]
impl Usage for FakeBilling {
    async fn record_usage(
        &self,
        request: Request<RecordUsageRequest>,
    ) -> Result<Response<RecordUsageResponse>, Status> {
        let ids: Vec<String> = request
            .into_inner()
            .events
            .into_iter()
            .map(|e| e.event_id)
            .collect();
        let delay = self.with(|b| b.recording_delay);
        tokio::time::sleep(delay).await;
        self.with(|b| {
            if b.recording_fails {
                return Err(Status::unavailable("billing is down"));
            }
            let recorded = i32::try_from(ids.len()).unwrap_or(i32::MAX);
            b.recorded.extend(ids);
            Ok(Response::new(RecordUsageResponse {
                recorded,
                duplicates: 0,
            }))
        })
    }

    async fn check_quota(
        &self,
        _request: Request<CheckQuotaRequest>,
    ) -> Result<Response<CheckQuotaResponse>, Status> {
        self.with(|b| {
            b.quota_checks += 1;
            b.quota
                .clone()
                .map(Response::new)
                .ok_or_else(|| Status::unavailable("billing is down"))
        })
    }
}

/// The fake on a free loopback port (plaintext: what is tested here is not TLS) and a channel
/// to it as the delivering services have one.
async fn serve(billing: FakeBilling) -> anyhow::Result<MeshChannel> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(UsageServer::new(billing))
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)),
    );
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))?.connect_lazy();
    Ok(aval_transport::client::over(channel))
}

fn answer(allowed: bool, cache_ttl_ms: Option<u32>) -> CheckQuotaResponse {
    CheckQuotaResponse {
        allowed,
        cache_ttl_ms,
        refusal: if allowed {
            QuotaRefusal::Unspecified
        } else {
            QuotaRefusal::Exhausted
        }
        .into(),
        ..CheckQuotaResponse::default()
    }
}

fn is_refused(verdict: &QuotaVerdict) -> bool {
    matches!(verdict, QuotaVerdict::Refused { reason } if reason == "exhausted")
}

#[tokio::test]
async fn a_quota_answer_is_reused_for_as_long_as_billing_says() -> TestResult {
    let billing = FakeBilling::default();
    let gate = QuotaGate::new(serve(billing.clone()).await?);

    // No TTL given: the default (seconds), so the second check costs no call.
    billing.with(|b| b.quota = Some(answer(true, None)));
    assert_eq!(
        gate.check("t", Product::ConsumerScore).await,
        QuotaVerdict::Allowed
    );
    assert_eq!(
        gate.check("t", Product::ConsumerScore).await,
        QuotaVerdict::Allowed
    );
    assert_eq!(billing.with(|b| b.quota_checks), 1);

    // TTL 0: billing is asked every time, and a change shows at once.
    billing.with(|b| b.quota = Some(answer(false, Some(0))));
    let other = gate.check("u", Product::ConsumerScore).await;
    assert!(is_refused(&other), "{other:?}");
    billing.with(|b| b.quota = Some(answer(true, Some(0))));
    assert_eq!(
        gate.check("u", Product::ConsumerScore).await,
        QuotaVerdict::Allowed
    );
    assert_eq!(billing.with(|b| b.quota_checks), 3);
    Ok(())
}

#[tokio::test]
async fn while_billing_fails_the_last_answer_stands() -> TestResult {
    let billing = FakeBilling::default();
    let gate = QuotaGate::new(serve(billing.clone()).await?);

    billing.with(|b| b.quota = Some(answer(false, Some(0))));
    assert!(is_refused(
        &gate.check("refused", Product::ConsumerScore).await
    ));
    billing.with(|b| b.quota = Some(answer(true, Some(0))));
    assert_eq!(
        gate.check("allowed", Product::LegalPersonAnalysis).await,
        QuotaVerdict::Allowed
    );

    billing.with(|b| b.quota = None);
    let refused = gate.check("refused", Product::ConsumerScore).await;
    assert!(is_refused(&refused), "a refusal is not lifted: {refused:?}");
    assert_eq!(
        gate.check("allowed", Product::LegalPersonAnalysis).await,
        QuotaVerdict::Allowed
    );
    // Never answered for: allowed (billing's absence must not fail answers).
    assert_eq!(
        gate.check("new", Product::ConsumerScore).await,
        QuotaVerdict::Allowed
    );
    // Each tenant and product has its own answer.
    assert_eq!(
        gate.check("refused", Product::LegalPersonAnalysis).await,
        QuotaVerdict::Allowed
    );
    Ok(())
}

fn record(id: &str) -> UsageRecord {
    UsageRecord {
        event_id: id.to_owned(),
        tenant_id: "t".to_owned(),
        product: Product::ConsumerScore,
        occurred_at: chrono::Utc::now(),
        sandbox: false,
    }
}

#[tokio::test]
async fn a_flush_returns_once_billing_acknowledged_everything_pending() -> TestResult {
    let db = TestDatabase::create(Engine::Sqlite)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no SQLite database"))?;
    let conn = aval_database::connect_and_migrate::<Migrator>(&db.url).await?;
    let billing = FakeBilling::default();
    let (shipper, outbox) = OUTBOX.shipper(conn.clone(), serve(billing.clone()).await?);
    let stop = CancellationToken::new();
    let running = tokio::spawn(shipper.run(stop.clone()));

    // Billing fails: the flush says so, and nothing is lost.
    billing.with(|b| b.recording_fails = true);
    for id in ["e1", "e2", "e3"] {
        OUTBOX.enqueue(&conn, &record(id)).await?;
    }
    assert!(outbox.flush().await.is_err());
    assert_eq!(OUTBOX.pending(&conn, 10).await?.len(), 3);

    // Billing is back: everything pending is acknowledged before the flush returns.
    billing.with(|b| b.recording_fails = false);
    let shipped = outbox.flush().await?;
    assert_eq!(shipped, 3);
    let mut recorded = billing.with(|b| b.recorded.clone());
    recorded.sort();
    assert_eq!(recorded, ["e1", "e2", "e3"]);
    assert!(OUTBOX.pending(&conn, 10).await?.is_empty());
    // The same event enqueued again (a retried answer) is not shipped again.
    OUTBOX.enqueue(&conn, &record("e1")).await?;
    assert_eq!(outbox.flush().await?, 0);

    stop.cancel();
    running.await?;
    assert!(
        outbox.flush().await.is_err(),
        "a stopped shipper cannot flush"
    );
    Ok(())
}

/// Two replicas of a service share one PostgreSQL outbox: their shippers claim disjoint
/// batches, so billing is sent every event once (no double work) and nothing stays behind.
#[tokio::test]
async fn replicas_sharing_a_postgres_outbox_ship_each_event_once() -> TestResult {
    let db = TestDatabase::create(Engine::Postgres)
        .await?
        .ok_or_else(|| anyhow::anyhow!("PostgreSQL skipped knowingly (AVAL_TEST_SKIP_POSTGRES)"))?;
    let conn = aval_database::connect_and_migrate::<Migrator>(&db.url).await?;
    let billing = FakeBilling::default();
    billing.with(|b| b.recording_delay = std::time::Duration::from_millis(30));
    for i in 0..3_000 {
        OUTBOX.enqueue(&conn, &record(&format!("e{i:04}"))).await?;
    }
    let replicas = [
        aval_database::connect(&db.url).await?,
        aval_database::connect(&db.url).await?,
    ];
    let stop = CancellationToken::new();
    let mut handles = Vec::new();
    for replica in replicas {
        let (shipper, handle) = OUTBOX.shipper(replica, serve(billing.clone()).await?);
        tokio::spawn(shipper.run(stop.clone()));
        handles.push(handle);
    }
    let (a, b) = tokio::join!(handles[0].flush(), handles[1].flush());
    let (a, b) = (a?, b?);
    assert_eq!(
        a + b,
        3_000,
        "each replica counts what it shipped: {a} + {b}"
    );
    let recorded = billing.with(|b| b.recorded.clone());
    let unique: std::collections::HashSet<&String> = recorded.iter().collect();
    assert_eq!(unique.len(), 3_000);
    assert_eq!(recorded.len(), 3_000, "no event was sent twice");
    assert!(OUTBOX.pending(&conn, 10).await?.is_empty());
    stop.cancel();
    Ok(())
}
