//! Legal-person analysis through the gateway: the QI example is decided, retries are billed
//! once, a changed body under the same id conflicts, bad fields are named by JSON path, and a
//! tenant never reads another's analyses or usage.

use crate::helpers::{TestMesh, spawn_mesh};
use aval_testkit::{TestDatabase, TestResult, db_test};
use serde_json::Value;

fn qi_example() -> anyhow::Result<Value> {
    let text = include_str!("../../docs/examples/legal_person_proposal.json");
    Ok(serde_json::from_str(text)?)
}

async fn submit(mesh: &TestMesh, token: &str, body: &Value) -> anyhow::Result<reqwest::Response> {
    Ok(mesh
        .http
        .post(mesh.url("/credit_analysis/legal_person"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await?)
}

async fn the_qi_example_is_decided_billed_once_and_conflicts_when_changed(
    db: TestDatabase,
) -> TestResult {
    let mesh = spawn_mesh(&db).await?;
    let client = mesh.full_tenant("lender-a").await?;
    let token = mesh.token(&client).await?;
    let proposal = qi_example()?;

    let first = submit(&mesh, &token, &proposal).await?;
    assert_eq!(first.status(), 200);
    let first: Value = first.json().await?;
    assert_eq!(first["id"], "12345678");
    // The shareholder (very low risk) and the guarantor (low risk) have demo profiles; the
    // amount is small against the revenue: the default policy approves.
    assert_eq!(
        first["analysis_status"], "automatically_approved",
        "{first}"
    );
    assert_eq!(first["recommendation"], "approve");
    let score = first["company_score"].as_i64().unwrap_or(-1);
    assert!((0..=1000).contains(&score));
    assert!(first["credit_limit"]["amount"].as_i64().unwrap_or(0) > 0);
    assert_eq!(first["credit_limit"]["currency"], "BRL");
    assert!(first["reason"].is_string());
    assert!(first["justification"].is_array());
    assert!(first["meta"]["request_id"].is_string());

    // The same id and body: the stored answer, not a second bill.
    let again: Value = submit(&mesh, &token, &proposal).await?.json().await?;
    assert_eq!(again["analysis_status"], first["analysis_status"]);
    assert_eq!(again["created_at"], first["created_at"]);
    // Exactly as first delivered, down to the last digit of every number.
    for field in [
        "probability_of_default",
        "company_score",
        "credit_limit",
        "justification",
    ] {
        assert_eq!(again[field], first[field], "{field}");
    }

    // The same id with another body: conflict.
    let mut changed = proposal.clone();
    changed["financial"]["amount"] = Value::from(200_000);
    let conflict = submit(&mesh, &token, &changed).await?;
    assert_eq!(conflict.status(), 409);
    assert_eq!(
        conflict.json::<Value>().await?["error"]["code"],
        "PROPOSAL_CONFLICT"
    );

    // GET returns it again.
    let fetched: Value = mesh
        .http
        .get(mesh.url("/credit_analysis/12345678"))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(fetched["analysis_status"], first["analysis_status"]);
    assert_eq!(fetched["company_score"], first["company_score"]);
    assert_eq!(
        fetched["probability_of_default"],
        first["probability_of_default"]
    );

    assert_eq!(mesh.billed(&token, "legal_person_analysis").await?, 1);
    // The partners' scores fetched for the analysis are part of it, not separate answers.
    assert_eq!(mesh.billed(&token, "consumer_score").await?, 0);
    mesh.stop().await
}
db_test!(the_qi_example_is_decided_billed_once_and_conflicts_when_changed);

async fn invalid_proposals_name_each_bad_field(db: TestDatabase) -> TestResult {
    let mesh = spawn_mesh(&db).await?;
    let client = mesh.full_tenant("lender-b").await?;
    let token = mesh.token(&client).await?;

    let mut proposal = qi_example()?;
    proposal["document_number"] = Value::from("35.472.523/0001-16");
    proposal["shareholders"][0]["document_number"] = Value::from("261.026.462-32");
    proposal["financial"]["currency"] = Value::from("GBP");
    // A date the gateway cannot read and one the service refuses: still one answer.
    proposal["client_since"] = Value::from("11/02/2021");
    proposal["shareholders"][0]["birthdate"] = Value::from("2999-01-01");
    let response = submit(&mesh, &token, &proposal).await?;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await?;
    assert_eq!(body["error"]["code"], "INVALID_PROPOSAL", "{body}");
    let details = body["error"]["details"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let detail = |field: &str| details.iter().find(|d| d["field"] == field).cloned();
    for (field, code) in [
        ("document_number", "INVALID_CNPJ"),
        ("shareholders[0].document_number", "INVALID_CPF"),
        ("financial.currency", "INVALID_ENUM"),
        ("client_since", "INVALID_DATE"),
        ("shareholders[0].birthdate", "DATE_IN_FUTURE"),
    ] {
        let found = detail(field);
        assert_eq!(
            found.as_ref().map(|d| &d["code"]),
            Some(&Value::from(code)),
            "{field} in {body}"
        );
    }
    assert_eq!(
        detail("client_since").map(|d| d["message"].clone()),
        Some(Value::from("must be a date as YYYY-MM-DD"))
    );
    assert_eq!(details.len(), 5, "each bad field once: {body}");

    // A type error is named by its JSON path before the proposal reaches the service.
    let mut typed = qi_example()?;
    typed["financial"]["amount"] = Value::from("lots");
    let response = submit(&mesh, &token, &typed).await?;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await?;
    assert_eq!(
        body["error"]["details"][0]["field"], "financial.amount",
        "{body}"
    );

    // Invalid proposals are not billed.
    assert_eq!(mesh.billed(&token, "legal_person_analysis").await?, 0);
    mesh.stop().await
}
db_test!(invalid_proposals_name_each_bad_field);

async fn a_tenant_never_reads_another_tenants_analyses_or_usage(db: TestDatabase) -> TestResult {
    let mesh = spawn_mesh(&db).await?;
    let a = mesh.full_tenant("tenant-a").await?;
    let b = mesh.full_tenant("tenant-b").await?;
    let token_a = mesh.token(&a).await?;
    let token_b = mesh.token(&b).await?;

    assert_eq!(submit(&mesh, &token_a, &qi_example()?).await?.status(), 200);
    assert_eq!(mesh.score(&token_a, "52998224725").await?.status(), 200);
    assert_eq!(mesh.billed(&token_a, "legal_person_analysis").await?, 1);

    let response = mesh
        .http
        .get(mesh.url("/credit_analysis/12345678"))
        .bearer_auth(&token_b)
        .send()
        .await?;
    assert_eq!(response.status(), 404, "B cannot see A's analysis");

    let report: Value = mesh
        .http
        .get(mesh.url("/v1/usage"))
        .bearer_auth(&token_b)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(
        report["rows"],
        Value::Array(vec![]),
        "B's report holds none of A's usage: {report}"
    );

    // B may submit a proposal with the same id: ids are per tenant.
    assert_eq!(submit(&mesh, &token_b, &qi_example()?).await?.status(), 200);
    mesh.stop().await
}
db_test!(a_tenant_never_reads_another_tenants_analyses_or_usage);

async fn long_ids_are_billed(db: TestDatabase) -> TestResult {
    let mesh = spawn_mesh(&db).await?;
    // Long ids: a 57-character tenant (its client id is 64, the most allowed), a 100-character
    // proposal id (the most allowed).
    let tenant = "t".repeat(57);
    let client = mesh.full_tenant(&tenant).await?;
    let token = mesh.token(&client).await?;
    let mut proposal = qi_example()?;
    proposal["id"] = Value::from("p".repeat(100));
    assert_eq!(submit(&mesh, &token, &proposal).await?.status(), 200);
    assert_eq!(mesh.billed(&token, "legal_person_analysis").await?, 1);

    // (A score-service outage makes a proposal wait: see `analysis_waiting`.)
    mesh.stop().await
}
db_test!(long_ids_are_billed);
