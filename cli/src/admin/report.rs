//! `aval admin report performance [--product analysis|score]`: how a tenant's decisions
//! performed, per policy version and decision, or its scores, per model version and risk band,
//! from the outcomes its lenders reported.

use super::{
    Outcome,
    analyses::day,
    args::{ReportCommand, ReportProduct},
    connect::ServiceConnection,
    output::OutputFormat,
    status::rpc_error,
    table,
};
use aval_proto::{
    analysis::v1::{self as analysis, analysis_service_client::AnalysisServiceClient},
    common::v1::PerformanceRow,
    score::v1::{self as score, score_service_client::ScoreServiceClient},
};
use serde_json::{Value, json};

pub async fn run(to: &ServiceConnection, command: ReportCommand) -> anyhow::Result<Outcome> {
    let ReportCommand::Performance {
        tenant,
        product,
        from,
        to: until,
        output,
    } = command;
    let created_from = from.as_deref().map(day).transpose()?;
    let created_to = until.as_deref().map(day).transpose()?;
    let failed = |s: tonic::Status| rpc_error(&format!("reporting on tenant {tenant}"), to, &s);
    let report = match product {
        ReportProduct::Analysis => Report::analysis(
            AnalysisServiceClient::new(to.channel()?)
                .get_performance_report(analysis::GetPerformanceReportRequest {
                    tenant_id: tenant.clone(),
                    created_from,
                    created_to,
                })
                .await
                .map_err(failed)?
                .into_inner(),
        ),
        ReportProduct::Score => Report::score(
            ScoreServiceClient::new(to.channel()?)
                .get_performance_report(score::GetPerformanceReportRequest {
                    tenant_id: tenant.clone(),
                    created_from,
                    created_to,
                })
                .await
                .map_err(failed)?
                .into_inner(),
        ),
    };
    println!("{}", report.render(output.format));
    Ok(Outcome::Done)
}

/// One policy or model version: how it is named, its groups and total, KS and Gini.
struct Version {
    /// The JSON fields naming it (`policy_id` and `version`, or `model_id` and `model_version`).
    id: [(&'static str, Value); 2],
    /// As the table shows it: `aval-default-lp v1`.
    label: String,
    rows: Vec<PerformanceRow>,
    total: Option<PerformanceRow>,
    ks: Option<f64>,
    gini: Option<f64>,
}

impl Version {
    fn new(
        id: [(&'static str, Value); 2],
        label: String,
        rows: Vec<PerformanceRow>,
        total: Option<PerformanceRow>,
        (ks, gini): (Option<f64>, Option<f64>),
    ) -> Self {
        Self {
            id,
            label,
            rows,
            total,
            ks,
            gini,
        }
    }
}

struct Report {
    /// `policies` or `models`.
    key: &'static str,
    /// The table's columns of versions and groups: `POLICY` and `DECISION`, or `MODEL` and
    /// `BAND`.
    headers: [&'static str; 2],
    /// What the table says when there is nothing to report.
    empty: &'static str,
    versions: Vec<Version>,
}

impl Report {
    fn analysis(report: analysis::PerformanceReport) -> Self {
        Self {
            key: "policies",
            headers: ["POLICY", "DECISION"],
            empty: "no decisions in the period",
            versions: report
                .policies
                .iter()
                .map(|p| {
                    Version::new(
                        [
                            ("policy_id", json!(p.policy_id)),
                            ("version", json!(p.version)),
                        ],
                        format!("{} v{}", p.policy_id, p.version),
                        p.rows.iter().map(PerformanceRow::from).collect(),
                        p.total.as_ref().map(PerformanceRow::from),
                        (p.ks, p.gini),
                    )
                })
                .collect(),
        }
    }

    fn score(report: score::PerformanceReport) -> Self {
        Self {
            key: "models",
            headers: ["MODEL", "BAND"],
            empty: "no answers in the period",
            versions: report
                .models
                .iter()
                .map(|m| {
                    Version::new(
                        [
                            ("model_id", json!(m.model_id)),
                            ("model_version", json!(m.model_version)),
                        ],
                        format!("{} v{}", m.model_id, m.model_version),
                        m.rows.clone(),
                        m.total.clone(),
                        (m.ks, m.gini),
                    )
                })
                .collect(),
        }
    }

    fn render(&self, format: OutputFormat) -> String {
        if format == OutputFormat::Json {
            let row = |r: &PerformanceRow| {
                json!({
                    "group": r.group, "count": r.count, "with_outcome": r.with_outcome,
                    "share_with_outcome": r.share_with_outcome, "defaults": r.defaults,
                    "default_rate": r.default_rate,
                })
            };
            let versions: Vec<Value> = self
                .versions
                .iter()
                .map(|v| {
                    let mut body = json!({
                        "rows": v.rows.iter().map(row).collect::<Vec<_>>(),
                        "total": v.total.as_ref().map(row), "ks": v.ks, "gini": v.gini,
                    });
                    for (name, value) in &v.id {
                        body[*name] = value.clone();
                    }
                    body
                })
                .collect();
            return json!({ self.key: versions }).to_string();
        }
        if self.versions.is_empty() {
            return self.empty.to_owned();
        }
        let rows: Vec<Vec<String>> = self
            .versions
            .iter()
            .flat_map(|v| {
                v.rows.iter().chain(&v.total).map(move |r| {
                    vec![
                        v.label.clone(),
                        r.group.clone(),
                        r.count.to_string(),
                        percent(r.share_with_outcome),
                        r.defaults.to_string(),
                        percent(r.default_rate),
                        number(v.ks),
                        number(v.gini),
                    ]
                })
            })
            .collect();
        let [version_header, group_header] = self.headers;
        table::render(
            &[
                version_header,
                group_header,
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
}

/// A share as a percentage with one decimal; `-` when there is none.
fn percent(share: Option<f64>) -> String {
    share.map_or_else(|| table::NONE.to_owned(), |s| format!("{:.1} %", s * 100.0))
}

fn number(n: Option<f64>) -> String {
    n.map_or_else(|| table::NONE.to_owned(), |n| format!("{n:.3}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_decision_and_the_total_get_a_line() {
        let row = |group: &str, count, with_outcome, defaults, rate| analysis::PerformanceRow {
            group: group.into(),
            count,
            with_outcome,
            share_with_outcome: Some(with_outcome as f64 / count as f64),
            defaults,
            default_rate: rate,
        };
        let report = Report::analysis(analysis::PerformanceReport {
            policies: vec![analysis::PolicyPerformance {
                policy_id: "aval-default-lp".into(),
                version: 1,
                rows: vec![row("automatically_approved", 4, 3, 1, Some(1.0 / 3.0))],
                total: Some(row("total", 4, 3, 1, Some(1.0 / 3.0))),
                ks: Some(1.0),
                gini: None,
            }],
        });
        let text = report.render(OutputFormat::Table);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].starts_with("POLICY"), "{text}");
        assert!(lines[1].contains("automatically_approved"), "{text}");
        assert!(
            lines[1].contains("75.0 %") && lines[1].contains("33.3 %"),
            "{text}"
        );
        assert!(lines[2].starts_with("aval-default-lp v1  total"), "{text}");
        assert!(lines[2].ends_with("1.000  -"), "{text}");
        let json: Value =
            serde_json::from_str(&report.render(OutputFormat::Json)).unwrap_or_default();
        assert_eq!(json["policies"][0]["policy_id"], "aval-default-lp");
        assert_eq!(
            json["policies"][0]["rows"].as_array().map(Vec::len),
            Some(1)
        );
        assert_eq!(json["policies"][0]["total"]["count"], 4);
    }

    #[test]
    fn each_band_of_a_model_version_gets_a_line() {
        let row = |group: &str, count, defaults| PerformanceRow {
            group: group.into(),
            count,
            with_outcome: count,
            share_with_outcome: Some(1.0),
            defaults,
            default_rate: Some(defaults as f64 / count as f64),
        };
        let report = Report::score(score::PerformanceReport {
            models: vec![score::ModelPerformance {
                model_id: "aval-default".into(),
                model_version: 1,
                rows: vec![row("very_low", 2, 0), row("high", 2, 1)],
                total: Some(row("total", 4, 1)),
                ks: Some(0.5),
                gini: Some(0.75),
            }],
        });
        let text = report.render(OutputFormat::Table);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(
            lines[0].starts_with("MODEL") && lines[0].contains("BAND"),
            "{text}"
        );
        assert!(lines[2].starts_with("aval-default v1  high"), "{text}");
        assert!(lines[2].contains("50.0 %"), "{text}");
        assert!(lines[3].ends_with("0.500  0.750"), "{text}");
        let json: Value =
            serde_json::from_str(&report.render(OutputFormat::Json)).unwrap_or_default();
        assert_eq!(json["models"][0]["model_version"], 1);
        assert_eq!(json["models"][0]["total"]["defaults"], 1);
    }
}
