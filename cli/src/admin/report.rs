//! `aval admin report performance`: how a tenant's decisions performed, per policy version and
//! decision, from the outcomes its lenders reported.

use super::{
    Outcome, analyses::day, args::ReportCommand, connect::ServiceConnection, output::OutputFormat,
    status::rpc_error, table,
};
use aval_proto::analysis::v1::{
    GetPerformanceReportRequest, PerformanceReport, PerformanceRow,
    analysis_service_client::AnalysisServiceClient,
};
use serde_json::json;

pub async fn run(analysis: &ServiceConnection, command: ReportCommand) -> anyhow::Result<Outcome> {
    let ReportCommand::Performance {
        tenant,
        from,
        to,
        output,
    } = command;
    let report = AnalysisServiceClient::new(analysis.channel()?)
        .get_performance_report(GetPerformanceReportRequest {
            tenant_id: tenant.clone(),
            created_from: from.as_deref().map(day).transpose()?,
            created_to: to.as_deref().map(day).transpose()?,
        })
        .await
        .map_err(|s| {
            rpc_error(
                &format!("reporting on tenant {tenant}'s decisions"),
                analysis,
                &s,
            )
        })?
        .into_inner();
    println!("{}", render(&report, output.format));
    Ok(Outcome::Done)
}

/// A share as a percentage with one decimal; `-` when there is none.
fn percent(share: Option<f64>) -> String {
    share.map_or_else(|| table::NONE.to_owned(), |s| format!("{:.1} %", s * 100.0))
}

fn number(n: Option<f64>) -> String {
    n.map_or_else(|| table::NONE.to_owned(), |n| format!("{n:.3}"))
}

fn render(report: &PerformanceReport, format: OutputFormat) -> String {
    if format == OutputFormat::Json {
        let row = |r: &PerformanceRow| {
            json!({
                "group": r.group, "count": r.count, "with_outcome": r.with_outcome,
                "share_with_outcome": r.share_with_outcome, "defaults": r.defaults,
                "default_rate": r.default_rate,
            })
        };
        let policies: Vec<_> = report
            .policies
            .iter()
            .map(|p| {
                json!({
                    "policy_id": p.policy_id, "version": p.version,
                    "rows": p.rows.iter().map(row).collect::<Vec<_>>(),
                    "total": p.total.as_ref().map(row), "ks": p.ks, "gini": p.gini,
                })
            })
            .collect();
        return json!({ "policies": policies }).to_string();
    }
    if report.policies.is_empty() {
        return "no decisions in the period".to_owned();
    }
    let rows: Vec<Vec<String>> = report
        .policies
        .iter()
        .flat_map(|p| {
            p.rows.iter().chain(&p.total).map(move |r| {
                vec![
                    format!("{} v{}", p.policy_id, p.version),
                    r.group.clone(),
                    r.count.to_string(),
                    percent(r.share_with_outcome),
                    r.defaults.to_string(),
                    percent(r.default_rate),
                    number(p.ks),
                    number(p.gini),
                ]
            })
        })
        .collect();
    table::render(
        &[
            "POLICY",
            "DECISION",
            "COUNT",
            "WITH OUTCOME",
            "DEFAULTS",
            "DEFAULT RATE",
            "KS",
            "GINI",
        ],
        &rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use aval_proto::analysis::v1::PolicyPerformance;

    #[test]
    fn each_decision_and_the_total_get_a_line() {
        let row = |group: &str, count, with_outcome, defaults, rate| PerformanceRow {
            group: group.into(),
            count,
            with_outcome,
            share_with_outcome: Some(with_outcome as f64 / count as f64),
            defaults,
            default_rate: rate,
        };
        let report = PerformanceReport {
            policies: vec![PolicyPerformance {
                policy_id: "aval-default-lp".into(),
                version: 1,
                rows: vec![row("automatically_approved", 4, 3, 1, Some(1.0 / 3.0))],
                total: Some(row("total", 4, 3, 1, Some(1.0 / 3.0))),
                ks: Some(1.0),
                gini: None,
            }],
        };
        let text = render(&report, OutputFormat::Table);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[1].contains("automatically_approved"), "{text}");
        assert!(
            lines[1].contains("75.0 %") && lines[1].contains("33.3 %"),
            "{text}"
        );
        assert!(lines[2].starts_with("aval-default-lp v1  total"), "{text}");
        assert!(lines[2].ends_with("1.000  -"), "{text}");
    }
}
