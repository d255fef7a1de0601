//! An analysis's life after the decision, through the gateway: the engine sends a proposal to
//! manual analysis, an analyst finds it in the queue, opens it, resolves it once (a second
//! resolution is 409 naming the status), a challenge is answered and decided again, the lender
//! reports the credit's outcome forward only, and the history shows every step with who took
//! it. No other tenant sees any of it, and none
//! of it is billed.

use crate::helpers::{TestMesh, spawn_mesh};
use aval_proto::analysis::v1::{
    ListAnalysesRequest, analysis_service_client::AnalysisServiceClient,
};
use aval_testkit::{TestDatabase, TestResult, db_test};
use aval_transport::{client::connect_lazy, identity::MeshIdentity, tls::MeshTls};
use chrono::Offset;
use serde_json::{Value, json};
use tonic::metadata::MetadataValue;

/// A CPF the demo data knows nothing about: a partner the engine cannot score.
const UNKNOWN_PARTNER: &str = aval::demo::UNKNOWN_CPF;

fn proposal(id: &str, unknown_partner: bool) -> anyhow::Result<Value> {
    let text = include_str!("../../docs/examples/legal_person_proposal.json");
    let mut proposal: Value = serde_json::from_str(text)?;
    proposal["id"] = Value::from(id);
    if unknown_partner {
        proposal["shareholders"][0]["document_number"] = Value::from(UNKNOWN_PARTNER);
    }
    Ok(proposal)
}

struct Desk<'a> {
    mesh: &'a TestMesh,
    token: String,
}

impl Desk<'_> {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<(u16, Value)> {
        let mut request = self
            .mesh
            .http
            .request(method, self.mesh.url(path))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        Ok((status, response.json().await?))
    }

    async fn get(&self, path: &str) -> anyhow::Result<(u16, Value)> {
        self.send(reqwest::Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: &Value) -> anyhow::Result<(u16, Value)> {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    async fn put(&self, path: &str, body: &Value) -> anyhow::Result<(u16, Value)> {
        self.send(reqwest::Method::PUT, path, Some(body)).await
    }
}

fn today() -> String {
    chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::west_opt(3 * 3600).unwrap_or(chrono::Utc.fix()))
        .format("%Y-%m-%d")
        .to_string()
}

async fn manual_review_resolution_feedback_and_history(db: TestDatabase) -> TestResult {
    let mesh = spawn_mesh(&db).await?;
    let lender = mesh.full_tenant("desk-a").await?;
    let desk = Desk {
        mesh: &mesh,
        token: mesh.token(&lender).await?,
    };

    // The engine: one to a person, one approved outright.
    let (status, sent) = desk
        .post(
            "/credit_analysis/legal_person",
            &proposal("review-1", true)?,
        )
        .await?;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent["analysis_status"], "in_manual_analysis", "{sent}");
    assert_eq!(sent["reason"], "unknown_partner");
    assert_eq!(sent["recommendation"], "request_guarantees");
    let (_, approved) = desk
        .post("/credit_analysis/legal_person", &proposal("auto-1", false)?)
        .await?;
    assert_eq!(approved["analysis_status"], "automatically_approved");

    // The queue holds only what waits for a person, with the company's CNPJ.
    let (status, queue) = desk
        .get("/credit_analysis?status=in_manual_analysis")
        .await?;
    assert_eq!(status, 200, "{queue}");
    let listed: Vec<&str> = queue["analyses"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(listed, ["review-1"], "{queue}");
    assert_eq!(queue["analyses"][0]["document_number"], "35472523000115");
    assert!(queue.get("next_page_token").is_none(), "{queue}");
    let (_, both) = desk.get("/credit_analysis?page_size=1").await?;
    assert_eq!(both["analyses"].as_array().map(Vec::len), Some(1));
    let token = both["next_page_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (_, rest) = desk
        .get(&format!("/credit_analysis?page_size=1&page_token={token}"))
        .await?;
    assert_ne!(
        rest["analyses"][0]["id"], both["analyses"][0]["id"],
        "{rest}"
    );
    let (status, bad) = desk
        .get("/credit_analysis?status=approved&created_from=2026-02-30")
        .await?;
    assert_eq!(status, 400, "{bad}");

    // The analyst opens it: what the engine saw.
    let (status, details) = desk.get("/credit_analysis/review-1/details").await?;
    assert_eq!(status, 200, "{details}");
    assert_eq!(details["decided_status"], "in_manual_analysis");
    assert_eq!(details["proposal"]["document_number"], "35472523000115");
    assert_eq!(details["policy"]["id"], "aval-default-lp");
    let unknown = details["partner_scores"]
        .as_array()
        .and_then(|scores| {
            scores
                .iter()
                .find(|p| p["document_number"] == UNKNOWN_PARTNER)
        })
        .cloned()
        .unwrap_or_default();
    assert_eq!(unknown["score"], Value::Null, "{details}");
    assert!(
        details["rules_fired"]
            .as_array()
            .is_some_and(|r| r.contains(&Value::from("unknown_partner"))),
        "{details}"
    );
    assert_eq!(details["features"]["unknown_partners"], 1.0);

    // Only what is in manual analysis is resolved by a person.
    let approve = json!({
        "action": "approve",
        "analyst_id": "ana.souza",
        "note": "The new partner's bank statements check out.",
        "credit_limit": 50000
    });
    let (status, refused) = desk
        .post("/credit_analysis/auto-1/resolution", &approve)
        .await?;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["error"]["code"], "INVALID_TRANSITION");
    assert!(
        refused["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("automatically_approved")),
        "{refused}"
    );
    let (status, missing_note) = desk
        .post(
            "/credit_analysis/review-1/resolution",
            &json!({"action": "approve", "analyst_id": "ana.souza"}),
        )
        .await?;
    assert_eq!(status, 400, "{missing_note}");
    assert_eq!(missing_note["error"]["details"][0]["field"], "note");

    // Two analysts at once: one resolution wins, the other is told the status it found.
    let (a, b) = tokio::join!(
        desk.post("/credit_analysis/review-1/resolution", &approve),
        desk.post("/credit_analysis/review-1/resolution", &approve),
    );
    let (a, b) = (a?, b?);
    let mut statuses = [a.0, b.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{} / {}", a.1, b.1);
    let resolved = if a.0 == 200 { a.1 } else { b.1 };
    assert_eq!(resolved["analysis_status"], "manually_approved");
    assert_eq!(resolved["recommendation"], "approve");
    assert_eq!(resolved["credit_limit"]["amount"], 50000);
    assert_eq!(resolved["review"]["analyst_id"], "ana.souza");
    let (status, again) = desk
        .post("/credit_analysis/review-1/resolution", &approve)
        .await?;
    assert_eq!(status, 409, "{again}");
    assert!(
        again["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("manually_approved")),
        "{again}"
    );
    let (_, fetched) = desk.get("/credit_analysis/review-1").await?;
    assert_eq!(fetched["analysis_status"], "manually_approved");

    // The lender reports the credit, forward only, never in the future.
    let report =
        |status: &str, day: &str| json!({"credit_proposal_status": status, "event_date": day});
    let (status, disbursed) = desk
        .put("/credit_analysis/review-1", &report("disbursed", &today()))
        .await?;
    assert_eq!(status, 200, "{disbursed}");
    assert_eq!(disbursed["credit_proposal_status"], "disbursed");
    assert_eq!(disbursed["event_date"], today());
    let (status, back) = desk
        .put("/credit_analysis/review-1", &report("created", &today()))
        .await?;
    assert_eq!(status, 409, "{back}");
    let (status, future) = desk
        .put("/credit_analysis/review-1", &report("paid", "2999-01-01"))
        .await?;
    assert_eq!(status, 400, "{future}");
    assert_eq!(future["error"]["details"][0]["code"], "DATE_IN_FUTURE");
    let (status, paid) = desk
        .put("/credit_analysis/review-1", &report("paid", &today()))
        .await?;
    assert_eq!(status, 200, "{paid}");
    let (status, retried) = desk
        .put("/credit_analysis/review-1", &report("paid", &today()))
        .await?;
    assert_eq!(status, 200, "a retry changes nothing: {retried}");
    assert_eq!(retried["updated_at"], paid["updated_at"]);

    // Every step, in order, with who took it.
    let (status, history) = desk.get("/credit_analysis/review-1/history").await?;
    assert_eq!(status, 200, "{history}");
    let steps: Vec<(String, String, String)> = history["events"]
        .as_array()
        .map(|events| {
            events
                .iter()
                .map(|e| {
                    (
                        e["kind"].as_str().unwrap_or_default().to_owned(),
                        e["to"].as_str().unwrap_or_default().to_owned(),
                        e["actor"]["type"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let step =
        |kind: &str, to: &str, actor: &str| (kind.to_owned(), to.to_owned(), actor.to_owned());
    assert_eq!(
        steps,
        [
            step("decided", "in_manual_analysis", "engine"),
            step("reviewed", "manually_approved", "analyst"),
            step("credit_outcome", "disbursed", "partner"),
            step("credit_outcome", "paid", "partner"),
        ],
        "{history}"
    );
    assert_eq!(history["events"][1]["actor"]["id"], "ana.souza");
    assert_eq!(
        history["events"][1]["actor"]["via"],
        json!({"type": "partner", "id": lender.client_id}),
        "who relayed the analyst's word"
    );
    assert_eq!(history["events"][1]["from"], "in_manual_analysis");
    assert_eq!(history["events"][2]["actor"]["id"], lender.client_id);

    // A challenge says what it asks for; a challenged credit has no outcome to report.
    desk.post(
        "/credit_analysis/legal_person",
        &proposal("review-2", true)?,
    )
    .await?;
    let challenge =
        json!({"action": "challenge", "analyst_id": "bia", "note": "Send the 2025 statements."});
    let (status, unnamed) = desk
        .post("/credit_analysis/review-2/resolution", &challenge)
        .await?;
    assert_eq!(status, 400, "{unnamed}");
    assert_eq!(unnamed["error"]["details"][0]["field"], "challenge");
    let mut challenge = challenge;
    challenge["challenge"] = Value::from("financial_statements");
    let (status, challenged) = desk
        .post("/credit_analysis/review-2/resolution", &challenge)
        .await?;
    assert_eq!(status, 200, "{challenged}");
    assert_eq!(challenged["analysis_status"], "manually_challenged");
    assert_eq!(challenged["review"]["challenge"], "financial_statements");
    let (status, _) = desk
        .put("/credit_analysis/review-2", &report("disbursed", &today()))
        .await?;
    assert_eq!(status, 409);

    // The partner answers with the completed proposal (the unknown partner replaced by one the
    // platform knows): decided again, the earlier version kept.
    let (status, unchanged) = desk
        .post(
            "/credit_analysis/review-2/challenge_answer",
            &proposal("review-2", true)?,
        )
        .await?;
    assert_eq!(
        status, 400,
        "the same proposal answers nothing: {unchanged}"
    );
    // Undated: received now, long after the analysis began, and replayed as of then.
    let mut completed = proposal("review-2", false)?;
    completed
        .as_object_mut()
        .map(|p| p.remove("credit_request_date"));
    let (status, redecided) = desk
        .post("/credit_analysis/review-2/challenge_answer", &completed)
        .await?;
    assert_eq!(status, 200, "{redecided}");
    assert_eq!(redecided["analysis_status"], "automatically_approved");
    assert!(redecided.get("review").is_none(), "{redecided}");
    let (status, retried) = desk
        .post("/credit_analysis/review-2/challenge_answer", &completed)
        .await?;
    assert_eq!(
        status, 200,
        "a retry is the analysis as it stands: {retried}"
    );
    assert_eq!(retried["updated_at"], redecided["updated_at"]);
    let mut other = completed.clone();
    other["financial"]["amount"] = Value::from(90_000);
    let (status, closed) = desk
        .post("/credit_analysis/review-2/challenge_answer", &other)
        .await?;
    assert_eq!(status, 409, "{closed}");
    let (_, details) = desk.get("/credit_analysis/review-2/details").await?;
    assert_eq!(details["revisions"][0]["revision"], 1, "{details}");
    assert_eq!(
        details["revisions"][0]["decided_status"],
        "in_manual_analysis"
    );
    assert_eq!(
        details["revisions"][0]["proposal"]["shareholders"][0]["document_number"],
        UNKNOWN_PARTNER
    );
    assert_eq!(details["decided_status"], "automatically_approved");
    let (_, history) = desk.get("/credit_analysis/review-2/history").await?;
    let kinds: Vec<&str> = history["events"]
        .as_array()
        .map(|e| e.iter().filter_map(|x| x["kind"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        kinds,
        ["decided", "reviewed", "challenge_answered"],
        "{history}"
    );
    assert_eq!(history["events"][2]["challenge"], "financial_statements");
    let replay = AnalysisServiceClient::new(mesh.operator_channel(MeshIdentity::ANALYSIS)?)
        .replay_analysis(aval_proto::analysis::v1::GetAnalysisRequest {
            id: "review-2".to_owned(),
            tenant_id: "desk-a".to_owned(),
        })
        .await?
        .into_inner();
    assert!(replay.identical, "{:?}", replay.differences);
    let (status, _) = desk
        .post(
            "/credit_analysis/auto-1/challenge_answer",
            &proposal("auto-1", true)?,
        )
        .await?;
    assert_eq!(status, 409, "only a challenged analysis takes an answer");

    // Three proposals were decided; the steps after cost nothing.
    assert_eq!(mesh.billed(&desk.token, "legal_person_analysis").await?, 3);
    mesh.stop().await
}
db_test!(manual_review_resolution_feedback_and_history);

async fn analysts_need_their_scope_and_see_only_their_tenant(db: TestDatabase) -> TestResult {
    let mesh = spawn_mesh(&db).await?;
    let a = mesh.full_tenant("desk-owner").await?;
    let owner = Desk {
        mesh: &mesh,
        token: mesh.token(&a).await?,
    };
    owner
        .post("/credit_analysis/legal_person", &proposal("mine", true)?)
        .await?;

    let b = mesh.full_tenant("desk-other").await?;
    let other = Desk {
        mesh: &mesh,
        token: mesh.token(&b).await?,
    };
    let (status, page) = other.get("/credit_analysis").await?;
    assert_eq!(status, 200);
    assert_eq!(page["analyses"], json!([]), "{page}");
    for path in [
        "/credit_analysis/mine/details",
        "/credit_analysis/mine/history",
    ] {
        let (status, body) = other.get(path).await?;
        assert_eq!(status, 404, "{path}: {body}");
    }
    let resolve = json!({"action": "reprove", "analyst_id": "x", "note": "not mine"});
    let (status, _) = other
        .post("/credit_analysis/mine/resolution", &resolve)
        .await?;
    assert_eq!(status, 404);
    let (_, still) = owner.get("/credit_analysis/mine").await?;
    assert_eq!(still["analysis_status"], "in_manual_analysis");

    // Over gRPC, a token acts for its own tenant whatever tenant the request names…
    let tls = MeshTls::load(&mesh.mesh.internal_client_cert())?;
    let internal = connect_lazy(&mesh.mesh.peer(MeshIdentity::ANALYSIS)?, &tls)?;
    let mut request = tonic::Request::new(ListAnalysesRequest {
        tenant_id: "desk-owner".to_owned(),
        ..ListAnalysesRequest::default()
    });
    request.metadata_mut().insert(
        "authorization",
        MetadataValue::try_from(format!("Bearer {}", other.token))?,
    );
    let page = AnalysisServiceClient::new(internal)
        .list_analyses(request)
        .await?
        .into_inner();
    assert!(
        page.analyses.is_empty(),
        "desk-other read desk-owner's queue"
    );
    // … and the operator's certificate reads only the tenant it names.
    let mut operator = AnalysisServiceClient::new(mesh.operator_channel(MeshIdentity::ANALYSIS)?);
    for (tenant, expected) in [("desk-owner", vec!["mine"]), ("desk-other", vec![])] {
        let page = operator
            .list_analyses(ListAnalysesRequest {
                tenant_id: tenant.to_owned(),
                ..ListAnalysesRequest::default()
            })
            .await?
            .into_inner();
        let ids: Vec<String> = page
            .analyses
            .into_iter()
            .filter_map(|s| s.analysis.map(|a| a.id))
            .collect();
        assert_eq!(ids, expected, "{tenant}");
    }

    // A lending system's client without `analysis:review` submits but does not review.
    let system = mesh
        .tenant(
            "desk-system",
            Some("pay_per_use"),
            &["analysis:write", "analysis:read"],
        )
        .await?;
    let system = Desk {
        mesh: &mesh,
        token: mesh.token(&system).await?,
    };
    let (status, denied) = system.get("/credit_analysis").await?;
    assert_eq!(status, 403, "{denied}");
    assert!(
        denied["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("analysis:review")),
        "{denied}"
    );
    let (status, _) = system
        .post("/credit_analysis/mine/resolution", &resolve)
        .await?;
    assert_eq!(status, 403);
    mesh.stop().await
}
db_test!(analysts_need_their_scope_and_see_only_their_tenant);

/// Outcomes reported for a handful of analyses give a performance report whose rates can be
/// checked by hand: default rates per engine decision, over final outcomes only.
async fn reported_outcomes_make_a_performance_report(db: TestDatabase) -> TestResult {
    let mesh = spawn_mesh(&db).await?;
    let lender = mesh.full_tenant("perf-lender").await?;
    let desk = Desk {
        mesh: &mesh,
        token: mesh.token(&lender).await?,
    };
    let mut scores = std::collections::BTreeMap::new();
    for (id, unknown) in [
        ("p1", false),
        ("p2", false),
        ("p3", false),
        ("p4", false),
        ("r1", true),
        ("r2", true),
    ] {
        let (status, answer) = desk
            .post("/credit_analysis/legal_person", &proposal(id, unknown)?)
            .await?;
        assert_eq!(status, 200, "{answer}");
        scores.insert(id, answer["company_score"].as_i64().unwrap_or(-1));
    }
    let approve = json!({"action": "approve", "analyst_id": "ana", "note": "known to us"});
    let (status, _) = desk
        .post("/credit_analysis/r1/resolution", &approve)
        .await?;
    assert_eq!(status, 200);
    let report = |status: &str| json!({"credit_proposal_status": status, "event_date": today()});
    for (id, outcome) in [
        ("p1", "paid"),
        ("p2", "defaulted"),
        ("p3", "disbursed"),
        ("r1", "defaulted"),
    ] {
        let (status, body) = desk
            .put(&format!("/credit_analysis/{id}"), &report(outcome))
            .await?;
        assert_eq!(status, 200, "{id}: {body}");
    }

    let (status, performance) = desk.get("/v1/reports/performance").await?;
    assert_eq!(status, 200, "{performance}");
    let policy = &performance["policies"][0];
    assert_eq!(policy["policy_id"], "aval-default-lp", "{performance}");
    let row = |group: &str| -> Value {
        policy["rows"]
            .as_array()
            .and_then(|rows| rows.iter().find(|r| r["group"] == group))
            .cloned()
            .unwrap_or_default()
    };
    // p1..p4: two final outcomes (p1 paid, p2 defaulted); p3 is only disbursed.
    let approved = row("automatically_approved");
    assert_eq!(
        (
            &approved["count"],
            &approved["with_outcome"],
            &approved["defaults"]
        ),
        (&json!(4), &json!(2), &json!(1)),
        "{performance}"
    );
    assert_eq!(approved["default_rate"], 0.5);
    assert_eq!(approved["share_with_outcome"], 0.5);
    // r1 and r2 went to a person; r1 was approved and defaulted. Grouped by what the engine
    // decided.
    let reviewed = row("in_manual_analysis");
    assert_eq!(
        (
            &reviewed["count"],
            &reviewed["with_outcome"],
            &reviewed["defaults"]
        ),
        (&json!(2), &json!(1), &json!(1))
    );
    assert_eq!(reviewed["default_rate"], 1.0);
    assert_eq!(policy["total"]["count"], 6);
    assert_eq!(policy["total"]["default_rate"], 2.0 / 3.0);
    // The payer (p1) outscores the unknown-partner defaulter (r1) and ties with p2:
    // AUC = (1 + 0.5) / 2 = 0.75, Gini = 0.5.
    assert!(
        scores["r1"] < scores["p1"] && scores["p1"] == scores["p2"],
        "{scores:?}"
    );
    assert_eq!(policy["gini"], 0.5, "{performance}");
    // At 780 every defaulter and only part of the payers are at or below: 1 − 0.5.
    assert_eq!(policy["ks"], 0.5, "{performance}");

    let csv = mesh
        .http
        .get(mesh.url("/v1/reports/performance"))
        .bearer_auth(&desk.token)
        .header("Accept", "text/csv")
        .send()
        .await?
        .text()
        .await?;
    assert!(
        csv.lines()
            .any(|l| l.starts_with("aval-default-lp,1,total,6,3,0.5,2,0.6666666666666666,")),
        "{csv}"
    );
    let (status, _) = desk
        .get("/v1/reports/performance?created_from=2026-13-01")
        .await?;
    assert_eq!(status, 400);
    mesh.stop().await
}
db_test!(reported_outcomes_make_a_performance_report);
