//! A proposal whose partners' scores cannot be fetched waits (`waiting_for_data`), unbilled,
//! and is decided when they arrive: analysis-service asks score-service again on its own, for
//! the tenant and client that submitted it, bills it once, and the history shows the wait.

use crate::helpers::{TestMesh, spawn_mesh};
use aval_testkit::{TestDatabase, TestResult, db_test};
use aval_transport::identity::MeshIdentity;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn qi_example() -> anyhow::Result<Value> {
    let text = include_str!("../../docs/examples/legal_person_proposal.json");
    Ok(serde_json::from_str(text)?)
}

async fn call(
    mesh: &TestMesh,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<&Value>,
) -> anyhow::Result<(u16, Value)> {
    let mut request = mesh.http.request(method, mesh.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await?;
    Ok((response.status().as_u16(), response.json().await?))
}

async fn submit(mesh: &TestMesh, token: &str, proposal: &Value) -> anyhow::Result<(u16, Value)> {
    let path = "/credit_analysis/legal_person";
    call(mesh, token, reqwest::Method::POST, path, Some(proposal)).await
}

/// The history's steps as (kind, from, to).
fn steps(history: &Value) -> Vec<(String, String, String)> {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    history["events"]
        .as_array()
        .map(|events| {
            events
                .iter()
                .map(|e| (text(&e["kind"]), text(&e["from"]), text(&e["to"])))
                .collect()
        })
        .unwrap_or_default()
}

fn step(kind: &str, from: &str, to: &str) -> (String, String, String) {
    (kind.to_owned(), from.to_owned(), to.to_owned())
}

async fn a_proposal_waits_for_its_partners_scores_and_is_decided_when_they_arrive(
    db: TestDatabase,
) -> TestResult {
    use reqwest::Method;
    let mut mesh = spawn_mesh(&db).await?;
    let client = mesh.full_tenant("lender-a").await?;
    let token = mesh.token(&client).await?;
    let proposal = qi_example()?;
    let path = "/credit_analysis/12345678";

    mesh.mesh.stop_service(MeshIdentity::SCORE).await?;
    let (status, waiting) = submit(&mesh, &token, &proposal).await?;
    assert_eq!(status, 200, "{waiting}");
    assert_eq!(waiting["analysis_status"], "waiting_for_data", "{waiting}");
    assert_eq!(waiting["reason"], "partner_scores_unavailable");
    for undecided in ["company_score", "probability_of_default", "credit_limit"] {
        assert!(waiting.get(undecided).is_none(), "{undecided}: {waiting}");
    }
    // A retry while it waits is the same answer; nothing is billed for an undecided proposal,
    // and nothing may be reported on its credit.
    let (_, again) = submit(&mesh, &token, &proposal).await?;
    assert_eq!(again["analysis_status"], "waiting_for_data");
    assert_eq!(again["created_at"], waiting["created_at"]);
    let report = json!({"credit_proposal_status": "created", "event_date": "2026-01-02"});
    let (status, refused) = call(&mesh, &token, Method::PUT, path, Some(&report)).await?;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["error"]["code"], "INVALID_TRANSITION");
    let (_, history) = call(&mesh, &token, Method::GET, &format!("{path}/history"), None).await?;
    assert_eq!(
        steps(&history),
        [step("received", "", "waiting_for_data")],
        "{history}"
    );
    assert_eq!(mesh.billed(&token, "legal_person_analysis").await?, 0);

    // The scores come back: the worker decides the proposal as it would have at once.
    mesh.restart(MeshIdentity::SCORE).await?;
    let deadline = Instant::now() + Duration::from_secs(60);
    let decided = loop {
        let (status, analysis) = call(&mesh, &token, Method::GET, path, None).await?;
        assert_eq!(status, 200, "{analysis}");
        let still = ["waiting_for_data", "pending"];
        if !still.iter().any(|s| analysis["analysis_status"] == *s) {
            break analysis;
        }
        anyhow::ensure!(Instant::now() < deadline, "still undecided: {analysis}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(
        decided["analysis_status"], "automatically_approved",
        "{decided}"
    );
    assert!(decided["company_score"].is_i64(), "{decided}");
    assert!(decided["credit_limit"]["amount"].as_i64().unwrap_or(0) > 0);
    assert_eq!(decided["created_at"], waiting["created_at"]);
    let (_, history) = call(&mesh, &token, Method::GET, &format!("{path}/history"), None).await?;
    assert_eq!(
        steps(&history),
        [
            step("received", "", "waiting_for_data"),
            step("decided", "waiting_for_data", "automatically_approved"),
        ],
        "{history}"
    );
    // The analyst's view shows the partners' scores the late decision read.
    let (_, details) = call(&mesh, &token, Method::GET, &format!("{path}/details"), None).await?;
    assert!(
        details["partner_scores"]
            .as_array()
            .is_some_and(|scores| scores.iter().any(|s| s["score"].is_i64())),
        "{details}"
    );

    // Decided once, billed once: a retry now is the decided answer.
    let (_, retried) = submit(&mesh, &token, &proposal).await?;
    assert_eq!(retried["analysis_status"], "automatically_approved");
    assert_eq!(retried["company_score"], decided["company_score"]);
    assert_eq!(mesh.billed(&token, "legal_person_analysis").await?, 1);
    assert_eq!(mesh.billed(&token, "consumer_score").await?, 0);
    mesh.stop().await
}
db_test!(a_proposal_waits_for_its_partners_scores_and_is_decided_when_they_arrive);
