//! Outcome feedback on consumer scores, through the gateway: lenders report what became of the
//! credit granted on each answer (`PUT /v1/scores/{answer_id}`), and the performance report per
//! model version and risk band (`GET /v1/reports/performance?product=score`) follows.

use crate::helpers::{TestMesh, spawn_mesh};
use aval::demo::CONSUMERS;
use aval_testkit::{TestDatabase, TestResult, db_test};
use serde_json::{Value, json};

/// A tenant's client, calling the gateway with its token.
struct Lender<'a> {
    mesh: &'a TestMesh,
    token: String,
}

impl<'a> Lender<'a> {
    async fn new(
        mesh: &'a TestMesh,
        tenant: &str,
        scopes: Option<&[&str]>,
    ) -> anyhow::Result<Self> {
        let client = match scopes {
            Some(scopes) => mesh.tenant(tenant, Some("pay_per_use"), scopes).await?,
            None => mesh.full_tenant(tenant).await?,
        };
        Ok(Self {
            mesh,
            token: mesh.token(&client).await?,
        })
    }

    /// Scores `cpf` and returns the answer's id.
    async fn scored(&self, cpf: &str) -> anyhow::Result<String> {
        let answer: Value = self.mesh.score(&self.token, cpf).await?.json().await?;
        answer["answer_id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| anyhow::anyhow!("no answer_id in {answer}"))
    }

    async fn report(
        &self,
        answer_id: &str,
        status: &str,
        day: &str,
    ) -> anyhow::Result<(u16, Value)> {
        let response = self
            .mesh
            .http
            .put(self.mesh.url(&format!("/v1/scores/{answer_id}")))
            .bearer_auth(&self.token)
            .json(&json!({"credit_proposal_status": status, "event_date": day}))
            .send()
            .await?;
        Ok((response.status().as_u16(), response.json().await?))
    }

    async fn get(&self, path: &str, accept: &str) -> anyhow::Result<(u16, String)> {
        let response = self
            .mesh
            .http
            .get(self.mesh.url(path))
            .bearer_auth(&self.token)
            .header("Accept", accept)
            .send()
            .await?;
        Ok((response.status().as_u16(), response.text().await?))
    }

    async fn performance(&self) -> anyhow::Result<Value> {
        let (status, body) = self
            .get("/v1/reports/performance?product=score", "application/json")
            .await?;
        anyhow::ensure!(status == 200, "{status}: {body}");
        Ok(serde_json::from_str(&body)?)
    }
}

/// Today in Brasília, `YYYY-MM-DD`.
fn today() -> String {
    aval_credit::brasilia::day(chrono::Utc::now()).to_string()
}

fn cpf(level: &str) -> &'static str {
    CONSUMERS
        .iter()
        .find(|c| c.level == level)
        .map_or("", |c| c.cpf)
}

/// Scores several CPFs, reports outcomes for them and checks the report's rates by hand.
async fn score_outcomes_make_a_performance_report(db: TestDatabase) -> TestResult {
    let mesh = spawn_mesh(&db).await?;
    let lender = Lender::new(&mesh, "score-lender", None).await?;
    let today = today();
    // The default scorecard: 940 very_low, 680 low, 550 medium, 400 high, 220 very_high.
    let mut answers = Vec::new();
    for level in ["VERY_LOW", "VERY_LOW", "LOW", "MEDIUM", "HIGH", "VERY_HIGH"] {
        answers.push(lender.scored(cpf(level)).await?);
    }
    let (status, created) = lender.report(&answers[1], "created", &today).await?;
    assert_eq!(status, 200, "{created}");
    for (answer, outcome) in [
        (0, "paid"),
        (1, "defaulted"),
        (2, "paid"),
        (3, "disbursed"),
        (4, "defaulted"),
        (5, "defaulted"),
    ] {
        let (status, body) = lender.report(&answers[answer], outcome, &today).await?;
        assert_eq!(status, 200, "{answer}: {body}");
        assert_eq!(body["credit_proposal_status"], outcome);
        assert_eq!(body["event_date"], today.as_str());
        assert_eq!(body["answer_id"], answers[answer].as_str());
    }
    // The answer as delivered, with every report on its credit.
    let (status, again) = lender.report(&answers[1], "defaulted", &today).await?;
    assert_eq!(status, 200);
    assert_eq!(again["score"], 940, "{again}");
    assert_eq!(again["band"], "very_low");
    let steps: Vec<(Value, Value)> = again["history"]
        .as_array()
        .map(|h| {
            h.iter()
                .map(|e| (e["from"].clone(), e["to"].clone()))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        steps,
        [
            (Value::Null, json!("created")),
            (json!("created"), json!("defaulted"))
        ],
        "the same report again adds nothing: {again}"
    );
    assert_eq!(again["history"][1]["actor"]["type"], "partner");

    // Paid is final: 409 INVALID_TRANSITION.
    let (status, refused) = lender.report(&answers[0], "disbursed", &today).await?;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["error"]["code"], "INVALID_TRANSITION");
    // A day that has not begun anywhere is refused on its field.
    let (status, refused) = lender.report(&answers[3], "paid", "2999-01-01").await?;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["error"]["details"][0]["field"], "event_date");
    assert_eq!(refused["error"]["details"][0]["code"], "DATE_IN_FUTURE");

    let performance = lender.performance().await?;
    let model = &performance["models"][0];
    assert_eq!(model["model_id"], "aval-default", "{performance}");
    let rows: Vec<(String, Value, Value, Value, Value)> = model["rows"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| {
                    (
                        r["group"].as_str().unwrap_or_default().to_owned(),
                        r["count"].clone(),
                        r["with_outcome"].clone(),
                        r["defaults"].clone(),
                        r["default_rate"].clone(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    // By hand, lowest risk first: very_low 940 paid and 940 defaulted; low 680 paid; medium
    // 550 only disbursed; high 400 and very_high 220 defaulted.
    assert_eq!(
        rows,
        [
            ("very_low".into(), json!(2), json!(2), json!(1), json!(0.5)),
            ("low".into(), json!(1), json!(1), json!(0), json!(0.0)),
            ("medium".into(), json!(1), json!(0), json!(0), Value::Null),
            ("high".into(), json!(1), json!(1), json!(1), json!(1.0)),
            ("very_high".into(), json!(1), json!(1), json!(1), json!(1.0)),
        ],
        "{performance}"
    );
    let total = &model["total"];
    assert_eq!(
        (&total["count"], &total["with_outcome"], &total["defaults"]),
        (&json!(6), &json!(5), &json!(3))
    );
    assert_eq!(total["default_rate"], 0.6);
    assert_eq!(total["share_with_outcome"], 5.0 / 6.0);
    // Payers 940, 680; defaulters 940, 400, 220: AUC = (0.5 + 2 + 2) / 6 = 0.75, Gini 0.5;
    // at 400 two thirds of the defaulters and no payer are at or below: KS 2/3.
    assert_eq!(model["gini"], 0.5, "{performance}");
    assert_eq!(model["ks"], 2.0 / 3.0, "{performance}");

    let (status, csv) = lender
        .get("/v1/reports/performance?product=score", "text/csv")
        .await?;
    assert_eq!(status, 200);
    assert!(
        csv.starts_with("model_id,model_version,band,count,")
            && csv
                .lines()
                .any(|l| l.starts_with("aval-default,1,high,1,1,1,1,1,")),
        "{csv}"
    );
    mesh.stop().await
}
db_test!(score_outcomes_make_a_performance_report);

/// Tenant B can neither report on nor see tenant A's answers, and reports need their scopes.
async fn tenants_report_only_on_their_own_answers(db: TestDatabase) -> TestResult {
    let mesh = spawn_mesh(&db).await?;
    let a = Lender::new(&mesh, "tenant-a", None).await?;
    let b = Lender::new(&mesh, "tenant-b", None).await?;
    let today = today();
    let answer_a = a.scored(cpf("LOW")).await?;
    b.scored(cpf("HIGH")).await?;

    let (status, refused) = b.report(&answer_a, "defaulted", &today).await?;
    assert_eq!(status, 404, "{refused}");
    assert_eq!(refused["error"]["code"], "NOT_FOUND");
    let (status, _) = b
        .get(&format!("/v1/scores/{answer_a}"), "application/json")
        .await?;
    assert_eq!(status, 404);
    let (status, _) = a.report(&answer_a, "paid", &today).await?;
    assert_eq!(status, 200);
    // B's report holds B's answer only, without A's outcome.
    let total = &b.performance().await?["models"][0]["total"];
    assert_eq!(
        (&total["count"], &total["with_outcome"]),
        (&json!(1), &json!(0))
    );
    let total = &a.performance().await?["models"][0]["total"];
    assert_eq!(
        (&total["count"], &total["with_outcome"]),
        (&json!(1), &json!(1))
    );

    // A client that may only read scores may neither report nor read the report.
    let reader = Lender::new(&mesh, "tenant-a-reader", Some(&["score:read"])).await?;
    let answer = reader.scored(cpf("LOW")).await?;
    let (status, refused) = reader.report(&answer, "paid", &today).await?;
    assert_eq!(status, 403, "{refused}");
    let (status, _) = reader
        .get("/v1/reports/performance?product=score", "application/json")
        .await?;
    assert_eq!(status, 403);
    mesh.stop().await
}
db_test!(tenants_report_only_on_their_own_answers);
