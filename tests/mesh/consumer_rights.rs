//! The consumer's rights over REST: a disclosure (for a consumer the tenant has a relationship
//! with, free and logged) says the score, what lowered and what raised it in plain Portuguese,
//! the data used and who consulted the CPF (every tenant, purpose, date) in six months; review requests are opened, listed for analysts, answered once, with
//! every step timestamped; scopes and tenants are kept apart.

use crate::helpers::spawn_mesh;
use aval::demo;
use aval_testkit::{TestDatabase, TestResult, db_test};
use serde_json::{Value, json};

async fn consumers_see_their_data_and_get_a_human_review(db: TestDatabase) -> TestResult {
    let mesh = spawn_mesh(&db).await?;
    let lender = mesh.full_tenant("lender").await?;
    let other = mesh.full_tenant("other-lender").await?;
    let scores_only = mesh
        .tenant("scores-only", Some("pay_per_use"), &["score:read"])
        .await?;
    let token = mesh.token(&lender).await?;
    let other_token = mesh.token(&other).await?;
    let scores_only_token = mesh.token(&scores_only).await?;
    let low = demo::CONSUMERS[1].cpf;
    let top = demo::CONSUMERS[0].cpf;

    // Two lenders consult the low-risk consumer.
    let answer: Value = mesh.score(&token, low).await?.json().await?;
    let answer_id = answer["answer_id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(mesh.score(&other_token, low).await?.status(), 200);
    let billed_before = mesh.billed(&token, "consumer_score").await?;

    let disclose = |token: &str, cpf: &str| {
        mesh.http
            .post(mesh.url("/v1/consumer_rights/disclosure"))
            .bearer_auth(token)
            .json(&json!({ "document": cpf }))
            .send()
    };
    let response = disclose(&token, low).await?;
    assert_eq!(response.status(), 200);
    let disclosure: Value = response.json().await?;
    assert_eq!(
        disclosure["score"]["score"], answer["score"],
        "{disclosure}"
    );
    assert_eq!(disclosure["score"]["band"], "low");
    let lowered = disclosure["score"]["lowered_by"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!lowered.is_empty(), "{disclosure}");
    assert!(
        lowered.iter().all(|f| f["description"]
            .as_str()
            .is_some_and(|d| d.contains("reduziu"))),
        "{lowered:?}"
    );
    let categories: Vec<&str> = disclosure["categories"]
        .as_array()
        .map(|c| c.iter().filter_map(|c| c["description"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        categories.contains(&"Contas pagas em dia"),
        "{categories:?}"
    );
    // Who consulted: both lenders, with purpose and date, newest first.
    let consulted: Vec<(&str, &str)> = disclosure["consultations"]
        .as_array()
        .map(|c| {
            c.iter()
                .filter_map(|c| Some((c["tenant"].as_str()?, c["purpose"].as_str()?)))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        consulted,
        [
            ("other-lender", "consumer_score"),
            ("lender", "consumer_score")
        ]
    );
    assert!(disclosure["consultations"][0]["consulted_at"].is_string());
    // A disclosure is free, and on the record like any look at the data.
    assert_eq!(mesh.billed(&token, "consumer_score").await?, billed_before);
    let again: Value = disclose(&token, low).await?.json().await?;
    assert_eq!(again["consultations"].as_array().map(Vec::len), Some(3));
    assert_eq!(again["consultations"][0]["tenant"], "lender");
    assert_eq!(again["consultations"][0]["purpose"], "consumer_disclosure");

    // Only for consumers the tenant has a relationship with: a disclosure is no free way to
    // score strangers.
    let stranger = disclose(&token, top).await?;
    assert_eq!(stranger.status(), 404);
    assert_eq!(mesh.score(&token, top).await?.status(), 200);

    // A top score still says what helped.
    let top_disclosure: Value = disclose(&token, top).await?.json().await?;
    assert_eq!(top_disclosure["score"]["lowered_by"], json!([]));
    let raised = top_disclosure["score"]["raised_by"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(raised.len() >= 3, "{top_disclosure}");
    assert!(
        raised[0]["description"]
            .as_str()
            .is_some_and(|d| d.contains("a favor"))
    );

    // Scopes: a client with score:read only cannot disclose.
    let denied = disclose(&scores_only_token, low).await?;
    assert_eq!(denied.status(), 403);
    let invalid = disclose(&token, "123").await?;
    assert_eq!(invalid.status(), 400);

    // A review request: opened by the consumer channel, listed and answered by an analyst.
    let opened = mesh
        .http
        .post(mesh.url("/v1/consumer_rights/review_requests"))
        .bearer_auth(&token)
        .json(&json!({ "document": low, "answer_id": answer_id, "reason": "Paguei as contas em dia" }))
        .send()
        .await?;
    assert_eq!(opened.status(), 201);
    let review: Value = opened.json().await?;
    let id = review["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(review["status"], "open");
    assert_eq!(review["events"][0]["status"], "open");
    // Another tenant's answer id, or none of this CPF, is refused.
    let foreign = mesh
        .http
        .post(mesh.url("/v1/consumer_rights/review_requests"))
        .bearer_auth(&other_token)
        .json(&json!({ "document": low, "answer_id": answer_id, "reason": "x" }))
        .send()
        .await?;
    assert_eq!(foreign.status(), 400);

    let listed: Value = mesh
        .http
        .get(mesh.url("/v1/consumer_rights/review_requests?status=open"))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(listed["review_requests"][0]["id"], json!(id), "{listed}");
    let theirs: Value = mesh
        .http
        .get(mesh.url("/v1/consumer_rights/review_requests"))
        .bearer_auth(&other_token)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(
        theirs["review_requests"],
        json!([]),
        "tenants see only their own"
    );
    let hidden = mesh
        .http
        .get(mesh.url(&format!("/v1/consumer_rights/review_requests/{id}")))
        .bearer_auth(&other_token)
        .send()
        .await?;
    assert_eq!(hidden.status(), 404);

    let answer_review = |outcome: &str| {
        mesh.http
            .post(mesh.url(&format!("/v1/consumer_rights/review_requests/{id}/answer")))
            .bearer_auth(&token)
            .json(
                &json!({ "outcome": outcome, "analyst": "ana.souza", "note": "Histórico revisto" }),
            )
            .send()
    };
    let answered = answer_review("revised").await?;
    assert_eq!(answered.status(), 200);
    let answered: Value = answered.json().await?;
    assert_eq!(answered["status"], "answered");
    assert_eq!(answered["outcome"], "revised");
    let steps: Vec<(&str, &str)> = answered["events"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter_map(|e| Some((e["status"].as_str()?, e["actor"].as_str()?)))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        steps,
        [("open", "lender-client"), ("answered", "ana.souza")]
    );
    assert!(answered["events"][1]["at"].is_string());
    // Answered once: a second answer is refused and changes nothing.
    let twice = answer_review("upheld").await?;
    assert_eq!(twice.status(), 422);
    let fetched: Value = mesh
        .http
        .get(mesh.url(&format!("/v1/consumer_rights/review_requests/{id}")))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(fetched["outcome"], "revised");
    let bad = answer_review("maybe").await?;
    assert_eq!(bad.status(), 400);
    mesh.stop().await
}
db_test!(consumers_see_their_data_and_get_a_human_review);
