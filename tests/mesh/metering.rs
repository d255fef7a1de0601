//! Only delivered answers are billed, exactly once, even when billing is down meanwhile; an
//! exhausted or expired plan refuses answers with 429.

use crate::helpers::{spawn_mesh, spawn_mesh_with};
use aval::demo;
use aval_testkit::{TestDatabase, TestResult, db_test};
use serde_json::Value;
use std::time::Duration;

async fn delivered_answers_are_billed_exactly_once_and_errors_are_free(
    db: TestDatabase,
) -> TestResult {
    let mesh = spawn_mesh(&db).await?;
    let client = mesh.full_tenant("metered").await?;
    let token = mesh.token(&client).await?;

    const DELIVERED: i64 = 5;
    for _ in 0..DELIVERED {
        assert_eq!(mesh.score(&token, "52998224725").await?.status(), 200);
    }
    for _ in 0..3 {
        assert_eq!(mesh.score(&token, demo::UNKNOWN_CPF).await?.status(), 404);
        assert_eq!(mesh.score(&token, "529.982.247-26").await?.status(), 400);
    }
    assert_eq!(mesh.billed(&token, "consumer_score").await?, DELIVERED);

    // CSV for spreadsheets, for the same period as the JSON report.
    let report = mesh.usage_report(&token).await?;
    let today = report["to"].as_str().unwrap_or_default().to_owned();
    let csv = mesh
        .http
        .get(mesh.url("/v1/usage"))
        .bearer_auth(&token)
        .header("Accept", "text/csv")
        .send()
        .await?;
    assert!(
        csv.headers()["content-type"]
            .to_str()?
            .starts_with("text/csv")
    );
    let text = csv.text().await?;
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("day,product,answers"));
    assert_eq!(
        lines.next(),
        Some(format!("{today},consumer_score,{DELIVERED}").as_str())
    );
    mesh.stop().await
}
db_test!(delivered_answers_are_billed_exactly_once_and_errors_are_free);

async fn answers_survive_billing_downtime_and_are_billed_after(db: TestDatabase) -> TestResult {
    // Quota answers are not reused, so the answers below really meet billing's absence.
    let mut mesh = spawn_mesh_with(&db, |o| o.quota_cache_ttl = Duration::ZERO).await?;
    let client = mesh.full_tenant("through-outage").await?;
    let token = mesh.token(&client).await?;
    assert_eq!(mesh.score(&token, "52998224725").await?.status(), 200);
    assert_eq!(mesh.billed(&token, "consumer_score").await?, 1);

    mesh.stop_billing().await?;
    const DURING_OUTAGE: i64 = 4;
    for _ in 0..DURING_OUTAGE {
        let response = mesh.score(&token, "52998224725").await?;
        assert_eq!(response.status(), 200, "answers do not depend on billing");
    }

    mesh.restart_billing().await?;
    assert_eq!(
        mesh.billed(&token, "consumer_score").await?,
        1 + DURING_OUTAGE
    );
    mesh.stop().await
}
db_test!(answers_survive_billing_downtime_and_are_billed_after);

async fn exhausted_expired_or_missing_plans_get_429(db: TestDatabase) -> TestResult {
    // Quota answers are not reused: the refusal below stands on billing's last word alone.
    let mut mesh = spawn_mesh_with(&db, |o| o.quota_cache_ttl = Duration::ZERO).await?;

    let unsubscribed = mesh.tenant("no-plan", None, &["score:read"]).await?;
    let token = mesh.token(&unsubscribed).await?;
    let response = mesh.score(&token, "52998224725").await?;
    assert_eq!(response.status(), 429);
    let body: Value = response.json().await?;
    assert_eq!(body["error"]["code"], "QUOTA_EXCEEDED", "{body}");

    let expired = mesh
        .tenant("expired-trial", None, &["score:read", "usage:read"])
        .await?;
    let a_year_ago = chrono::Utc::now() - chrono::Duration::days(365);
    mesh.mesh
        .admin()?
        .subscribe(
            "expired-trial",
            "trial",
            Some(prost_types::Timestamp {
                seconds: a_year_ago.timestamp(),
                nanos: 0,
            }),
        )
        .await?;
    let token = mesh.token(&expired).await?;
    let response = mesh.score(&token, "52998224725").await?;
    assert_eq!(response.status(), 429);
    assert_eq!(
        response.json::<Value>().await?["error"]["code"],
        "QUOTA_EXCEEDED"
    );
    // Refused answers are not billed.
    assert_eq!(mesh.billed(&token, "consumer_score").await?, 0);

    // With billing down, a refused tenant stays refused (the last known answer stands).
    mesh.stop_billing().await?;
    let response = mesh.score(&token, "52998224725").await?;
    assert_eq!(
        response.status(),
        429,
        "billing's absence must not lift a refusal"
    );
    mesh.stop().await
}
db_test!(exhausted_expired_or_missing_plans_get_429);
