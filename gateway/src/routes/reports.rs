//! `GET /v1/reports/performance?product=analysis|score&created_from=YYYY-MM-DD&created_to=YYYY-MM-DD`:
//! how the tenant's decisions performed, from the outcomes its lenders reported; JSON, or CSV
//! with `Accept: text/csv`.
//!
//! - `product=analysis` (the default; scope `analysis:review`): per policy version and per
//!   engine decision;
//! - `product=score` (scope `score:review`): per score model version and per risk band.

use super::{Meta, csv_response, query_day, wants_csv};
use crate::{AppState, error::ApiError, extract::Partner};
use aval_errors::{ErrorCode, FieldCode, FieldViolation};
use aval_proto::{analysis::v1 as analysis, common::v1::PerformanceRow, score::v1 as score};
use axum::{
    Json,
    extract::{Query, State},
    http::HeaderMap,
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
pub struct ReportQuery {
    /// `analysis` (absent) or `score`.
    product: Option<String>,
    created_from: Option<String>,
    created_to: Option<String>,
}

#[derive(Serialize)]
pub struct RowBody {
    /// The engine's decision (`automatically_approved`, …) or the risk band (`very_low`, …),
    /// or `total`.
    pub group: String,
    pub count: u64,
    /// Decisions whose credit was reported paid or defaulted.
    pub with_outcome: u64,
    pub share_with_outcome: Option<f64>,
    pub defaults: u64,
    /// defaults / with_outcome.
    pub default_rate: Option<f64>,
}

impl From<PerformanceRow> for RowBody {
    fn from(r: PerformanceRow) -> Self {
        Self {
            group: r.group,
            count: r.count,
            with_outcome: r.with_outcome,
            share_with_outcome: r.share_with_outcome,
            defaults: r.defaults,
            default_rate: r.default_rate,
        }
    }
}

/// One version's rows: its groups, the total, and how well the score ranks payers above
/// defaulters (`null` unless both occur).
#[derive(Serialize)]
pub struct RowsBody {
    pub rows: Vec<RowBody>,
    pub total: Option<RowBody>,
    pub ks: Option<f64>,
    pub gini: Option<f64>,
}

impl RowsBody {
    fn new(
        rows: impl IntoIterator<Item = PerformanceRow>,
        total: Option<PerformanceRow>,
        ks: Option<f64>,
        gini: Option<f64>,
    ) -> Self {
        Self {
            rows: rows.into_iter().map(RowBody::from).collect(),
            total: total.map(RowBody::from),
            ks,
            gini,
        }
    }
}

#[derive(Serialize)]
pub struct PolicyBody {
    pub policy_id: String,
    pub version: u32,
    /// Per engine decision; KS and Gini of the company score.
    #[serde(flatten)]
    pub rows: RowsBody,
}

#[derive(Serialize)]
pub struct ModelBody {
    pub model_id: String,
    pub model_version: i32,
    /// Per risk band, lowest risk first; KS and Gini of the 0..1000 score.
    #[serde(flatten)]
    pub rows: RowsBody,
}

#[derive(Serialize)]
#[serde(untagged)]
pub enum PerformanceBody {
    Analysis {
        policies: Vec<PolicyBody>,
        meta: Meta,
    },
    Score {
        models: Vec<ModelBody>,
        meta: Meta,
    },
}

pub async fn performance(
    State(state): State<AppState>,
    partner: Partner,
    headers: HeaderMap,
    Query(query): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let mut violations = Vec::new();
    let created_from = query_day(
        "created_from",
        query.created_from.as_deref(),
        &mut violations,
    );
    let created_to = query_day("created_to", query.created_to.as_deref(), &mut violations);
    let score = match query.product.as_deref().map(str::trim) {
        None | Some("" | "analysis") => false,
        Some("score") => true,
        Some(_) => {
            violations.push(FieldViolation::new(
                "product",
                FieldCode::InvalidEnum,
                "must be one of: analysis, score",
            ));
            false
        }
    };
    if !violations.is_empty() {
        return Err(ApiError::invalid_fields(
            ErrorCode::InvalidArgument,
            "invalid report query",
            violations,
        ));
    }
    let body = if score {
        let report = score::score_service_client::ScoreServiceClient::new(
            state.upstreams.score.channel.clone(),
        )
        .get_performance_report(partner.request(score::GetPerformanceReportRequest {
            tenant_id: String::new(),
            created_from,
            created_to,
        }))
        .await?
        .into_inner();
        PerformanceBody::Score {
            models: report
                .models
                .iter()
                .map(|m| ModelBody {
                    model_id: m.model_id.clone(),
                    model_version: m.model_version,
                    rows: RowsBody::new(m.rows.clone(), m.total.clone(), m.ks, m.gini),
                })
                .collect(),
            meta: partner.meta(),
        }
    } else {
        let report = super::analysis::client(&state)
            .get_performance_report(partner.request(analysis::GetPerformanceReportRequest {
                tenant_id: String::new(),
                created_from,
                created_to,
            }))
            .await?
            .into_inner();
        PerformanceBody::Analysis {
            policies: report
                .policies
                .iter()
                .map(|p| PolicyBody {
                    policy_id: p.policy_id.clone(),
                    version: p.version,
                    rows: RowsBody::new(
                        p.rows.iter().map(PerformanceRow::from),
                        p.total.as_ref().map(PerformanceRow::from),
                        p.ks,
                        p.gini,
                    ),
                })
                .collect(),
            meta: partner.meta(),
        }
    };
    if wants_csv(&headers) {
        return Ok(csv_response(csv(&body)));
    }
    Ok(Json(body).into_response())
}

/// A text cell: quoted (quotes doubled) when it holds a comma, a quote or a line break
/// (RFC 4180); policy and model ids are any visible ASCII.
fn csv_text(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// One line per version and group (its `total` last), KS and Gini on every line of the
/// version; an absent number is an empty cell.
fn csv(body: &PerformanceBody) -> String {
    let (keys, versions): ([&str; 3], Vec<(String, String, &RowsBody)>) = match body {
        PerformanceBody::Analysis { policies, .. } => (
            ["policy_id", "version", "group"],
            policies
                .iter()
                .map(|p| (p.policy_id.clone(), p.version.to_string(), &p.rows))
                .collect(),
        ),
        PerformanceBody::Score { models, .. } => (
            ["model_id", "model_version", "band"],
            models
                .iter()
                .map(|m| (m.model_id.clone(), m.model_version.to_string(), &m.rows))
                .collect(),
        ),
    };
    let number = |n: Option<f64>| n.map(|n| n.to_string()).unwrap_or_default();
    let mut out = format!(
        "{},count,with_outcome,share_with_outcome,defaults,default_rate,ks,gini\n",
        keys.join(",")
    );
    for (id, version, rows) in versions {
        for row in rows.rows.iter().chain(&rows.total) {
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{}\n",
                csv_text(&id),
                version,
                row.group,
                row.count,
                row.with_outcome,
                number(row.share_with_outcome),
                row.defaults,
                number(row.default_rate),
                number(rows.ks),
                number(rows.gini),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_lines_carry_each_group_then_the_total() {
        let row = |group: &str, count, with_outcome, defaults, rate| analysis::PerformanceRow {
            group: group.into(),
            count,
            with_outcome,
            share_with_outcome: Some(with_outcome as f64 / count as f64),
            defaults,
            default_rate: rate,
        };
        let rows = [row("automatically_approved", 4, 2, 1, Some(0.5))];
        let total = row("total", 4, 2, 1, Some(0.5));
        let body = PerformanceBody::Analysis {
            policies: vec![PolicyBody {
                policy_id: "strict,lp".into(),
                version: 2,
                rows: RowsBody::new(
                    rows.iter().map(PerformanceRow::from),
                    Some(PerformanceRow::from(&total)),
                    None,
                    Some(0.25),
                ),
            }],
            meta: Meta::new(String::new(), std::time::Instant::now()),
        };
        assert_eq!(
            csv(&body),
            "policy_id,version,group,count,with_outcome,share_with_outcome,defaults,default_rate,ks,gini\n\
             \"strict,lp\",2,automatically_approved,4,2,0.5,1,0.5,,0.25\n\
             \"strict,lp\",2,total,4,2,0.5,1,0.5,,0.25\n"
        );
    }

    #[test]
    fn score_csv_lines_are_per_model_version_and_band() {
        let row = |group: &str, count, defaults| PerformanceRow {
            group: group.into(),
            count,
            with_outcome: count,
            share_with_outcome: Some(1.0),
            defaults,
            default_rate: Some(defaults as f64 / count as f64),
        };
        let rows = [row("very_low", 2, 0), row("high", 2, 1)];
        let total = row("total", 4, 1);
        let body = PerformanceBody::Score {
            models: vec![ModelBody {
                model_id: "aval-default".into(),
                model_version: 1,
                rows: RowsBody::new(rows, Some(total), Some(0.5), Some(0.75)),
            }],
            meta: Meta::new(String::new(), std::time::Instant::now()),
        };
        assert_eq!(
            csv(&body),
            "model_id,model_version,band,count,with_outcome,share_with_outcome,defaults,default_rate,ks,gini\n\
             aval-default,1,very_low,2,2,1,0,0,0.5,0.75\n\
             aval-default,1,high,2,2,1,1,0.5,0.5,0.75\n\
             aval-default,1,total,4,4,1,1,0.25,0.5,0.75\n"
        );
    }
}
