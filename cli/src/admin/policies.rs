//! `aval admin policies publish|list|activate`: a tenant's analysis policies as versioned data,
//! in analysis-service.

use super::{
    Outcome,
    analyses::status_name,
    args::PoliciesCommand,
    connect::ServiceConnection,
    output::{OutputFormat, Record, render_rows},
    status::rpc_error,
    table,
};
use anyhow::Context;
use aval_proto::analysis::v1::{
    ActivatePolicyRequest, DryRunPolicyRequest, DryRunReport, ListPoliciesRequest, PolicyRef,
    PolicyVersion, PublishPolicyRequest,
    analysis_policy_service_client::AnalysisPolicyServiceClient, dry_run_policy_request::Candidate,
};
use serde_json::json;

pub async fn run(
    analysis: &ServiceConnection,
    command: PoliciesCommand,
) -> anyhow::Result<Outcome> {
    let mut client = AnalysisPolicyServiceClient::new(analysis.channel()?);
    match command {
        PoliciesCommand::Publish {
            tenant,
            file,
            output,
        } => {
            let document = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let published = client
                .publish_policy(PublishPolicyRequest {
                    tenant_id: tenant.clone(),
                    document,
                })
                .await
                .map_err(|s| {
                    rpc_error(
                        &format!("publishing {} for tenant {tenant}", file.display()),
                        analysis,
                        &s,
                    )
                })?
                .into_inner();
            println!("{}", record(&published).render(output.format));
            if !published.active && output.format == OutputFormat::Table {
                eprintln!(
                    "not active yet: aval admin policies activate --tenant {tenant} --id {} --version {}",
                    published.policy_id, published.version
                );
            }
        }
        PoliciesCommand::List { tenant, output } => {
            let listed = client
                .list_policies(ListPoliciesRequest {
                    tenant_id: tenant.clone(),
                })
                .await
                .map_err(|s| {
                    rpc_error(&format!("listing tenant {tenant}'s policies"), analysis, &s)
                })?
                .into_inner();
            let records: Vec<Record> = listed.policies.iter().map(record).collect();
            let rows = render_rows(&records, output.format);
            match output.format {
                OutputFormat::Json => println!("{{\"policies\":{rows}}}"),
                OutputFormat::Table => println!("{rows}"),
            }
        }
        PoliciesCommand::DryRun {
            tenant,
            file,
            policy_id,
            version,
            last,
            output,
        } => {
            let candidate = match (file, policy_id, version) {
                (Some(file), _, _) => Candidate::Document(
                    std::fs::read_to_string(&file)
                        .with_context(|| format!("cannot read {}", file.display()))?,
                ),
                (None, Some(policy_id), Some(version)) => {
                    Candidate::Published(PolicyRef { policy_id, version })
                }
                _ => anyhow::bail!("give a policy file, or --id and --version"),
            };
            let report = client
                .dry_run_policy(DryRunPolicyRequest {
                    tenant_id: tenant.clone(),
                    candidate: Some(candidate),
                    last: Some(last),
                })
                .await
                .map_err(|s| {
                    rpc_error(
                        &format!("dry-running a policy for tenant {tenant}"),
                        analysis,
                        &s,
                    )
                })?
                .into_inner();
            println!("{}", dry_run(&report, output.format));
        }
        PoliciesCommand::Activate {
            tenant,
            policy_id,
            version,
            output,
        } => {
            let active = client
                .activate_policy(ActivatePolicyRequest {
                    tenant_id: tenant.clone(),
                    policy_id: policy_id.clone(),
                    version,
                })
                .await
                .map_err(|s| {
                    rpc_error(
                        &format!("activating {policy_id} v{version} for tenant {tenant}"),
                        analysis,
                        &s,
                    )
                })?
                .into_inner();
            println!("{}", record(&active).render(output.format));
        }
    }
    Ok(Outcome::Done)
}

fn record(policy: &PolicyVersion) -> Record {
    Record::default()
        .text("policy_id", "POLICY", &policy.policy_id)
        .text("kind", "KIND", &policy.kind)
        .number("version", "VERSION", i64::from(policy.version))
        .text("active", "ACTIVE", if policy.active { "yes" } else { "no" })
        .time("published_at", "PUBLISHED", policy.published_at.as_ref())
        .list("features", "FEATURES", &policy.features)
}

/// `policy X vN against the last K analyses: C would change` then the transitions and each
/// change with the rules that fired; or the whole report as one JSON object.
fn dry_run(report: &DryRunReport, format: OutputFormat) -> String {
    if format == OutputFormat::Json {
        return json!({
            "policy_id": report.policy_id,
            "version": report.version,
            "evaluated": report.evaluated,
            "changed": report.changed,
            "transitions": report.transitions.iter().map(|t| json!({
                "from": status_name(t.from), "to": status_name(t.to), "count": t.count,
            })).collect::<Vec<_>>(),
            "changes": report.changes.iter().map(|c| json!({
                "analysis_id": c.analysis_id,
                "from": status_name(c.from),
                "to": status_name(c.to),
                "reason_before": c.reason_before,
                "reason_after": c.reason_after,
                "rules_fired_before": c.rules_fired_before,
                "rules_fired_after": c.rules_fired_after,
            })).collect::<Vec<_>>(),
            "skipped": report.skipped.iter().map(|s| json!({
                "analysis_id": s.analysis_id, "reason": s.reason,
            })).collect::<Vec<_>>(),
        })
        .to_string();
    }
    let mut out = format!(
        "policy {} v{} against the last {} analyses: {} would change, {} skipped",
        report.policy_id,
        report.version,
        report.evaluated,
        report.changed,
        report.skipped.len()
    );
    if !report.transitions.is_empty() {
        let rows: Vec<Vec<String>> = report
            .transitions
            .iter()
            .map(|t| vec![status_name(t.from), status_name(t.to), t.count.to_string()])
            .collect();
        out.push_str("\n\n");
        out.push_str(&table::render(&["FROM", "TO", "COUNT"], &rows));
    }
    if !report.changes.is_empty() {
        let rows: Vec<Vec<String>> = report
            .changes
            .iter()
            .map(|c| {
                vec![
                    c.analysis_id.clone(),
                    status_name(c.from),
                    status_name(c.to),
                    c.rules_fired_after.join(", "),
                ]
            })
            .collect();
        out.push_str("\n\n");
        out.push_str(&table::render(
            &["ANALYSIS", "FROM", "TO", "RULES FIRED NOW"],
            &rows,
        ));
    }
    for skipped in &report.skipped {
        out.push_str(&format!(
            "\nskipped {}: {}",
            skipped.analysis_id, skipped.reason
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use aval_proto::analysis::v1::AnalysisStatus;
    use aval_proto::analysis::v1::{ChangedDecision, StatusChangeCount};

    #[test]
    fn a_dry_run_says_what_would_change_and_why() {
        let report = DryRunReport {
            policy_id: "strict".into(),
            version: 2,
            evaluated: 3,
            changed: 1,
            transitions: vec![StatusChangeCount {
                from: AnalysisStatus::AutomaticallyApproved.into(),
                to: AnalysisStatus::AutomaticallyReproved.into(),
                count: 1,
            }],
            changes: vec![ChangedDecision {
                analysis_id: "p-1".into(),
                from: AnalysisStatus::AutomaticallyApproved.into(),
                to: AnalysisStatus::AutomaticallyReproved.into(),
                rules_fired_after: vec!["any_leverage".into()],
                ..ChangedDecision::default()
            }],
            skipped: vec![],
        };
        let text = dry_run(&report, OutputFormat::Table);
        assert!(
            text.starts_with("policy strict v2 against the last 3 analyses: 1 would change"),
            "{text}"
        );
        assert!(
            text.contains("automatically_approved  automatically_reproved  1"),
            "{text}"
        );
        assert!(
            text.contains("p-1") && text.contains("any_leverage"),
            "{text}"
        );
        let json: serde_json::Value =
            serde_json::from_str(&dry_run(&report, OutputFormat::Json)).unwrap_or_default();
        assert_eq!(json["changes"][0]["to"], "automatically_reproved");
    }
}
