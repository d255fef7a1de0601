//! A person's credit proposal through the gateway: QI Tech's natural-person body is decided by
//! the natural-person default policy from the person's own score and income, billed once as
//! its own product, answered with `score` (not `company_score`), validated field by field
//! (a minor is refused), listed by CPF, challenged and answered with a person's body, and
//! replayed exactly; a tenant's natural-person policy decides persons only.

use crate::helpers::{TestMesh, spawn_mesh};
use aval_proto::analysis::v1::{
    ActivatePolicyRequest, DryRunPolicyRequest, GetAnalysisRequest, PublishPolicyRequest,
    analysis_policy_service_client::AnalysisPolicyServiceClient,
    analysis_service_client::AnalysisServiceClient, dry_run_policy_request::Candidate,
};
use aval_testkit::{TestDatabase, TestResult, db_test};
use aval_transport::identity::MeshIdentity;
use serde_json::{Value, json};

/// QI Tech's natural-person example (R$ 300 of monthly income asking R$ 1,000 in 4
/// installments) under another id.
fn person(id: &str) -> anyhow::Result<Value> {
    let text = include_str!("../../docs/examples/natural_person_proposal.json");
    let mut proposal: Value = serde_json::from_str(text)?;
    proposal["id"] = Value::from(id);
    Ok(proposal)
}

async fn post(
    mesh: &TestMesh,
    token: &str,
    path: &str,
    body: &Value,
) -> anyhow::Result<(u16, Value)> {
    let response = mesh
        .http
        .post(mesh.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await?;
    Ok((response.status().as_u16(), response.json().await?))
}

async fn a_persons_proposal_is_decided_billed_and_answered_as_a_persons(
    db: TestDatabase,
) -> TestResult {
    let mesh = spawn_mesh(&db).await?;
    let client = mesh.full_tenant("person-lender").await?;
    let token = mesh.token(&client).await?;
    let submit = "/credit_analysis/natural_person";

    // One installment of R$ 250 on R$ 300 of income: more than half of it, reproved.
    let (status, first) = post(&mesh, &token, submit, &person("np-1")?).await?;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["kind"], "natural_person");
    assert_eq!(
        first["analysis_status"], "automatically_reproved",
        "{first}"
    );
    assert_eq!(first["reason"], "installment_over_half_income");
    assert_eq!(first["credit_limit"]["amount"], 0);
    assert!(first.get("company_score").is_none(), "{first}");
    let score = first["score"].as_i64().unwrap_or(-1);
    assert!((0..=1000).contains(&score), "{first}");

    // The same body again is the same answer, billed once, as a person's analysis.
    let (_, again) = post(&mesh, &token, submit, &person("np-1")?).await?;
    assert_eq!(again["created_at"], first["created_at"]);
    assert_eq!(again["score"], first["score"]);
    assert_eq!(mesh.billed(&token, "natural_person_analysis").await?, 1);
    assert_eq!(mesh.billed(&token, "legal_person_analysis").await?, 0);
    assert_eq!(mesh.billed(&token, "consumer_score").await?, 0);

    // R$ 3,000 of income (the installment is 8 % of it): the applicant's demo profile and the
    // guarantor's are known and good, approved for the amount asked.
    let mut affordable = person("np-2")?;
    affordable["monthly_income"] = Value::from(300_000);
    let (_, approved) = post(&mesh, &token, submit, &affordable).await?;
    assert_eq!(
        approved["analysis_status"], "automatically_approved",
        "{approved}"
    );
    assert_eq!(approved["credit_limit"]["amount"], 100_000);

    // GET answers it again as a person's.
    let fetched: Value = mesh
        .http
        .get(mesh.url("/credit_analysis/np-2"))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(fetched["kind"], "natural_person");
    assert_eq!(fetched["score"], approved["score"]);

    // The analysts' queue finds both by the person's CPF, in any spelling.
    let listed: Value = mesh
        .http
        .get(mesh.url("/credit_analysis?document_number=199.208.915-92"))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    let ids: Vec<&str> = listed["analyses"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(ids, ["np-1", "np-2"], "{listed}");

    // Replay decides it again from the stored person's proposal, identically.
    let mut analyses = AnalysisServiceClient::new(mesh.operator_channel(MeshIdentity::ANALYSIS)?);
    let replay = analyses
        .replay_analysis(GetAnalysisRequest {
            id: "np-2".to_owned(),
            tenant_id: "person-lender".to_owned(),
        })
        .await?
        .into_inner();
    assert!(replay.identical, "{:?}", replay.differences);
    assert_eq!(replay.policy_id, "aval-default-np");
    mesh.stop().await
}
db_test!(a_persons_proposal_is_decided_billed_and_answered_as_a_persons);

async fn a_persons_bad_fields_are_named_and_a_minor_is_refused(db: TestDatabase) -> TestResult {
    let mesh = spawn_mesh(&db).await?;
    let client = mesh.full_tenant("person-lender").await?;
    let token = mesh.token(&client).await?;
    let mut bad = person("np-bad")?;
    bad["document_number"] = Value::from("199.208.915-93");
    bad["monthly_income"] = Value::from(-1);
    bad["birthdate"] = Value::from("01/01/1990");
    bad["financial"]["currency"] = Value::from("XYZ");
    let (status, body) = post(&mesh, &token, "/credit_analysis/natural_person", &bad).await?;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "INVALID_PROPOSAL");
    let mut fields: Vec<(String, String)> = body["error"]["details"]
        .as_array()
        .map(|d| {
            d.iter()
                .map(|v| {
                    (
                        v["field"].as_str().unwrap_or_default().to_owned(),
                        v["code"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    fields.sort();
    let expected = [
        ("birthdate", "INVALID_DATE"),
        ("document_number", "INVALID_CPF"),
        ("financial.currency", "INVALID_ENUM"),
        ("monthly_income", "OUT_OF_RANGE"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(f, c)| ((*f).to_owned(), (*c).to_owned()))
        .collect();
    assert_eq!(fields, expected, "{body}");

    // 17 on the day they asked.
    let mut minor = person("np-minor")?;
    minor["birthdate"] = Value::from("2003-04-01");
    let (status, body) = post(&mesh, &token, "/credit_analysis/natural_person", &minor).await?;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "birthdate");
    assert_eq!(body["error"]["details"][0]["code"], "OUT_OF_RANGE");
    // Nothing refused is billed.
    assert_eq!(mesh.billed(&token, "natural_person_analysis").await?, 0);
    mesh.stop().await
}
db_test!(a_persons_bad_fields_are_named_and_a_minor_is_refused);

async fn a_persons_challenge_is_answered_with_a_persons_body(db: TestDatabase) -> TestResult {
    let mesh = spawn_mesh(&db).await?;
    let client = mesh.full_tenant("person-lender").await?;
    let token = mesh.token(&client).await?;
    // No income declared: a person must look at it.
    let mut no_income = person("np-challenge")?;
    no_income["monthly_income"] = Value::from(0);
    let (_, decided) = post(&mesh, &token, "/credit_analysis/natural_person", &no_income).await?;
    assert_eq!(
        decided["analysis_status"], "in_manual_analysis",
        "{decided}"
    );
    assert_eq!(decided["reason"], "no_income");

    let challenge = json!({
        "action": "challenge", "analyst_id": "ana", "note": "send a payslip",
        "challenge": "proof_of_income"
    });
    let (status, challenged) = post(
        &mesh,
        &token,
        "/credit_analysis/np-challenge/resolution",
        &challenge,
    )
    .await?;
    assert_eq!(status, 200, "{challenged}");
    assert_eq!(challenged["analysis_status"], "manually_challenged");

    // A company's body does not answer a person's analysis.
    let company: Value = serde_json::from_str(include_str!(
        "../../docs/examples/legal_person_proposal.json"
    ))?;
    let (status, refused) = post(
        &mesh,
        &token,
        "/credit_analysis/np-challenge/challenge_answer",
        &company,
    )
    .await?;
    assert_eq!(status, 400, "{refused}");

    // The payslip says R$ 3,000: decided again, approved, the first version kept.
    let mut answered = no_income.clone();
    answered["monthly_income"] = Value::from(300_000);
    let (status, redecided) = post(
        &mesh,
        &token,
        "/credit_analysis/np-challenge/challenge_answer",
        &answered,
    )
    .await?;
    assert_eq!(status, 200, "{redecided}");
    assert_eq!(
        redecided["analysis_status"], "automatically_approved",
        "{redecided}"
    );
    assert_eq!(redecided["kind"], "natural_person");
    assert_eq!(mesh.billed(&token, "natural_person_analysis").await?, 1);
    mesh.stop().await
}
db_test!(a_persons_challenge_is_answered_with_a_persons_body);

/// Approves only an applicant scoring 900 or more.
fn demanding_person_policy() -> String {
    json!({
        "id": "demanding-np",
        "version": 1,
        "kind": "natural_person",
        "features": ["applicant_score"],
        "decision_table": {
            "hit_policy": "first",
            "rules": [{
                "when": {"feature": "applicant_score", "op": "lt", "value": 900},
                "outcome": "reprove",
                "reason": {"code": "below_900", "description": "Applicant score below 900"}
            }],
            "default": {"outcome": "approve", "reason": {"code": "top_score", "description": "Applicant score of 900 or more"}}
        },
        "scorecard": {"base_points": 500, "characteristics": []},
        "credit_limit": {"income_multiple": 1, "warrant_advance_rate": 0}
    })
    .to_string()
}

async fn a_natural_person_policy_decides_persons_only(db: TestDatabase) -> TestResult {
    let mesh = spawn_mesh(&db).await?;
    let client = mesh.full_tenant("person-lender").await?;
    let token = mesh.token(&client).await?;
    let tenant = "person-lender".to_owned();
    let mut affordable = person("np-before")?;
    affordable["monthly_income"] = Value::from(300_000);
    let (_, before) = post(
        &mesh,
        &token,
        "/credit_analysis/natural_person",
        &affordable,
    )
    .await?;
    assert_eq!(
        before["analysis_status"], "automatically_approved",
        "{before}"
    );
    let company: Value = serde_json::from_str(include_str!(
        "../../docs/examples/legal_person_proposal.json"
    ))?;
    let (_, company_before) =
        post(&mesh, &token, "/credit_analysis/legal_person", &company).await?;

    let mut policies =
        AnalysisPolicyServiceClient::new(mesh.operator_channel(MeshIdentity::ANALYSIS)?);
    let published = policies
        .publish_policy(PublishPolicyRequest {
            tenant_id: tenant.clone(),
            document: demanding_person_policy(),
        })
        .await?
        .into_inner();
    assert_eq!(published.kind, "natural_person");

    // The dry run reads the tenant's persons' proposals only: the one person would be reproved.
    let run = policies
        .dry_run_policy(DryRunPolicyRequest {
            tenant_id: tenant.clone(),
            candidate: Some(Candidate::Document(demanding_person_policy())),
            last: None,
        })
        .await?
        .into_inner();
    assert_eq!(run.evaluated, 1, "{run:?}");
    assert_eq!(run.changed, 1);
    assert_eq!(run.changes[0].analysis_id, "np-before");
    assert_eq!(run.changes[0].reason_after, "below_900");

    policies
        .activate_policy(ActivatePolicyRequest {
            tenant_id: tenant.clone(),
            policy_id: "demanding-np".to_owned(),
            version: 1,
        })
        .await?;
    affordable["id"] = Value::from("np-after");
    let (_, after) = post(
        &mesh,
        &token,
        "/credit_analysis/natural_person",
        &affordable,
    )
    .await?;
    assert_eq!(
        after["analysis_status"], "automatically_reproved",
        "{after}"
    );
    assert_eq!(after["reason"], "below_900");
    // Companies are still decided by Aval's legal-person default.
    let mut other_company = company.clone();
    other_company["id"] = Value::from("lp-after");
    let (_, company_after) = post(
        &mesh,
        &token,
        "/credit_analysis/legal_person",
        &other_company,
    )
    .await?;
    assert_eq!(
        company_after["analysis_status"],
        company_before["analysis_status"]
    );
    assert_eq!(company_after["reason"], company_before["reason"]);
    mesh.stop().await
}
db_test!(a_natural_person_policy_decides_persons_only);
