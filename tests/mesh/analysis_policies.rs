//! Policies as versioned data, end to end: an operator publishes a stricter policy, its dry run
//! against the tenant's stored proposals names the decisions it would change and why, and
//! activating it decides new proposals only (decided ones keep their answer), for that tenant
//! only, until Aval's default is activated again; replay decides with the version that
//! decided. A policy reading a protected attribute is refused when published.

use crate::helpers::{TestMesh, spawn_mesh};
use aval_proto::analysis::v1::{
    ActivatePolicyRequest, AnalysisStatus, DryRunPolicyRequest, ListPoliciesRequest, PolicyRef,
    PublishPolicyRequest, analysis_policy_service_client::AnalysisPolicyServiceClient,
    dry_run_policy_request::Candidate,
};
use aval_testkit::{TestDatabase, TestResult, db_test};
use aval_transport::{client::MeshChannel, identity::MeshIdentity, status::error_code};
use serde_json::{Value, json};

fn proposal(id: &str) -> anyhow::Result<Value> {
    let text = include_str!("../../docs/examples/legal_person_proposal.json");
    let mut proposal: Value = serde_json::from_str(text)?;
    proposal["id"] = Value::from(id);
    Ok(proposal)
}

/// Reproves any credit at all: a first-hit decision table.
fn strict(version: u32, feature: &str) -> String {
    json!({
        "id": "strict-lp",
        "version": version,
        "description": "No leverage at all",
        "features": [feature],
        "decision_table": {
            "hit_policy": "first",
            "rules": [{
                "when": {"feature": feature, "op": "gt", "value": 0.0001},
                "outcome": "reprove",
                "reason": {"code": "any_leverage", "description": "Any amount at all"}
            }],
            "default": {"outcome": "approve", "reason": {"code": "no_debt", "description": "Nothing asked"}}
        },
        "scorecard": {"base_points": 500, "characteristics": []},
        "credit_limit": {"revenue_multiple": 1, "warrant_advance_rate": 0}
    })
    .to_string()
}

async fn submit(mesh: &TestMesh, token: &str, id: &str) -> anyhow::Result<Value> {
    let response = mesh
        .http
        .post(mesh.url("/credit_analysis/legal_person"))
        .bearer_auth(token)
        .json(&proposal(id)?)
        .send()
        .await?;
    anyhow::ensure!(response.status() == 200, "{id}: {}", response.status());
    Ok(response.json().await?)
}

async fn decided_by(mesh: &TestMesh, token: &str, id: &str) -> anyhow::Result<Value> {
    let details: Value = mesh
        .http
        .get(mesh.url(&format!("/credit_analysis/{id}/details")))
        .bearer_auth(token)
        .send()
        .await?
        .json()
        .await?;
    Ok(details["policy"].clone())
}

async fn a_policy_is_published_dry_run_and_activated_for_new_decisions_only(
    db: TestDatabase,
) -> TestResult {
    let mesh = spawn_mesh(&db).await?;
    let lender = mesh.full_tenant("policy-lender").await?;
    let token = mesh.token(&lender).await?;
    let bystander = mesh.full_tenant("policy-bystander").await?;
    let bystander = mesh.token(&bystander).await?;
    let channel: MeshChannel = mesh.operator_channel(MeshIdentity::ANALYSIS)?;
    let mut policies = AnalysisPolicyServiceClient::new(channel);
    let tenant = "policy-lender".to_owned();

    let before = submit(&mesh, &token, "before-1").await?;
    assert_eq!(before["analysis_status"], "automatically_approved");

    // Art. 7-A: refused at publication, with the path of the offending name.
    let refused = policies
        .publish_policy(PublishPolicyRequest {
            tenant_id: tenant.clone(),
            document: strict(1, "gender"),
        })
        .await
        .err()
        .ok_or_else(|| anyhow::anyhow!("a policy reading gender was published"))?;
    assert_eq!(
        error_code(&refused),
        aval_errors::ErrorCode::InvalidArgument
    );
    let violations = aval_transport::status::field_violations(&refused);
    assert_eq!(
        violations[0].field, "document.decision_table.rules[0].when.feature",
        "{violations:?}"
    );
    assert!(
        violations[0].message.contains("FORBIDDEN_FEATURE"),
        "{violations:?}"
    );

    let huge = policies
        .publish_policy(PublishPolicyRequest {
            tenant_id: tenant.clone(),
            document: strict(3_000_000_000, "leverage"),
        })
        .await
        .err()
        .map(|s| aval_transport::status::field_violations(&s));
    assert_eq!(
        huge.as_deref()
            .and_then(|v| v.first())
            .map(|v| v.field.as_str()),
        Some("document.version")
    );
    let published = policies
        .publish_policy(PublishPolicyRequest {
            tenant_id: tenant.clone(),
            document: strict(1, "leverage"),
        })
        .await?
        .into_inner();
    assert_eq!(
        (published.policy_id.as_str(), published.version),
        ("strict-lp", 1)
    );
    assert!(!published.active, "publishing does not activate");
    // The same document again is the same version; another under that version is refused.
    policies
        .publish_policy(PublishPolicyRequest {
            tenant_id: tenant.clone(),
            document: strict(1, "leverage"),
        })
        .await?;
    let mut changed: Value = serde_json::from_str(&strict(1, "leverage"))?;
    changed["description"] = json!("Something else");
    let conflict = policies
        .publish_policy(PublishPolicyRequest {
            tenant_id: tenant.clone(),
            document: changed.to_string(),
        })
        .await
        .err()
        .map(|s| error_code(&s));
    assert_eq!(conflict, Some(aval_errors::ErrorCode::AlreadyExists));

    // The dry run: what the candidate would change among the stored proposals, and why.
    let report = policies
        .dry_run_policy(DryRunPolicyRequest {
            tenant_id: tenant.clone(),
            candidate: Some(Candidate::Published(PolicyRef {
                policy_id: "strict-lp".into(),
                version: 1,
            })),
            last: Some(10),
        })
        .await?
        .into_inner();
    assert_eq!((report.evaluated, report.changed), (1, 1), "{report:?}");
    let change = &report.changes[0];
    assert_eq!(change.analysis_id, "before-1");
    assert_eq!(change.from(), AnalysisStatus::AutomaticallyApproved);
    assert_eq!(change.to(), AnalysisStatus::AutomaticallyReproved);
    assert_eq!(change.rules_fired_after, ["any_leverage"]);
    assert_eq!(report.transitions[0].count, 1);
    let same = policies
        .dry_run_policy(DryRunPolicyRequest {
            tenant_id: tenant.clone(),
            candidate: Some(Candidate::Published(PolicyRef {
                policy_id: "aval-default-lp".into(),
                version: 1,
            })),
            last: None,
        })
        .await?
        .into_inner();
    assert_eq!(
        (same.evaluated, same.changed),
        (1, 0),
        "the default decides as it did"
    );

    // Activated: new proposals are decided by it, decided ones keep their answer.
    let active = policies
        .activate_policy(ActivatePolicyRequest {
            tenant_id: tenant.clone(),
            policy_id: "strict-lp".into(),
            version: 1,
        })
        .await?
        .into_inner();
    assert!(active.active);
    let after = submit(&mesh, &token, "after-1").await?;
    assert_eq!(
        after["analysis_status"], "automatically_reproved",
        "{after}"
    );
    assert_eq!(after["reason"], "any_leverage");
    assert_eq!(
        decided_by(&mesh, &token, "after-1").await?,
        json!({"id": "strict-lp", "version": 1})
    );
    let again = submit(&mesh, &token, "before-1").await?;
    assert_eq!(
        again["analysis_status"], "automatically_approved",
        "a retry replays"
    );
    assert_eq!(
        decided_by(&mesh, &token, "before-1").await?,
        json!({"id": "aval-default-lp", "version": 1})
    );
    // Replay decides with the version that decided, not the one active now.
    let mut analyses =
        aval_proto::analysis::v1::analysis_service_client::AnalysisServiceClient::new(
            mesh.operator_channel(MeshIdentity::ANALYSIS)?,
        );
    for (id, policy) in [("before-1", "aval-default-lp"), ("after-1", "strict-lp")] {
        let replay = analyses
            .replay_analysis(aval_proto::analysis::v1::GetAnalysisRequest {
                id: id.to_owned(),
                tenant_id: tenant.clone(),
            })
            .await?
            .into_inner();
        // Identical includes the policy: a replay by another version would name it.
        assert!(replay.identical, "{id}: {:?}", replay.differences);
        assert_eq!(replay.policy_id, policy);
    }
    // Another tenant's proposals are not its business, nor are its versions.
    for attempt in [
        policies
            .activate_policy(ActivatePolicyRequest {
                tenant_id: "policy-bystander".into(),
                policy_id: "strict-lp".into(),
                version: 1,
            })
            .await
            .err(),
        policies
            .dry_run_policy(DryRunPolicyRequest {
                tenant_id: "policy-bystander".into(),
                candidate: Some(Candidate::Published(PolicyRef {
                    policy_id: "strict-lp".into(),
                    version: 1,
                })),
                last: None,
            })
            .await
            .err(),
    ] {
        assert_eq!(
            attempt.map(|s| error_code(&s)),
            Some(aval_errors::ErrorCode::NotFound)
        );
    }
    let theirs = submit(&mesh, &bystander, "theirs-1").await?;
    assert_eq!(theirs["analysis_status"], "automatically_approved");

    let listed = policies
        .list_policies(ListPoliciesRequest {
            tenant_id: tenant.clone(),
        })
        .await?
        .into_inner();
    let flags: Vec<(String, u32, bool)> = listed
        .policies
        .iter()
        .map(|p| (p.policy_id.clone(), p.version, p.active))
        .collect();
    assert_eq!(
        flags,
        [
            ("aval-default-lp".to_owned(), 1, false),
            // A company's policy leaves the persons' default active.
            ("aval-default-np".to_owned(), 1, true),
            ("strict-lp".to_owned(), 1, true)
        ]
    );

    // Back to Aval's default.
    policies
        .activate_policy(ActivatePolicyRequest {
            tenant_id: tenant.clone(),
            policy_id: "aval-default-lp".into(),
            version: 1,
        })
        .await?;
    let back = submit(&mesh, &token, "after-2").await?;
    assert_eq!(back["analysis_status"], "automatically_approved");
    let missing = policies
        .activate_policy(ActivatePolicyRequest {
            tenant_id: tenant,
            policy_id: "strict-lp".into(),
            version: 9,
        })
        .await
        .err()
        .map(|s| error_code(&s));
    assert_eq!(missing, Some(aval_errors::ErrorCode::NotFound));
    mesh.stop().await
}
db_test!(a_policy_is_published_dry_run_and_activated_for_new_decisions_only);
