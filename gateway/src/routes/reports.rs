//! `GET /v1/reports/performance?created_from=YYYY-MM-DD&created_to=YYYY-MM-DD` (scope
//! `analysis:review`): how the tenant's decisions performed, per policy version and per
//! decision, from the outcomes its lenders reported; JSON, or CSV with `Accept: text/csv`.

use super::{Meta, csv_response, query_day, wants_csv};
use crate::{AppState, error::ApiError, extract::Partner};
use aval_errors::ErrorCode;
use aval_proto::analysis::v1::{GetPerformanceReportRequest, PerformanceRow, PolicyPerformance};
use axum::{
    Json,
    extract::{Query, State},
    http::HeaderMap,
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
pub struct Period {
    created_from: Option<String>,
    created_to: Option<String>,
}

#[derive(Serialize)]
pub struct RowBody {
    /// The engine's decision (`automatically_approved`, …), or `total`.
    pub group: String,
    pub count: u64,
    /// Decisions whose credit was reported paid or defaulted.
    pub with_outcome: u64,
    pub share_with_outcome: Option<f64>,
    pub defaults: u64,
    /// defaults / with_outcome.
    pub default_rate: Option<f64>,
}

impl From<&PerformanceRow> for RowBody {
    fn from(r: &PerformanceRow) -> Self {
        Self {
            group: r.group.clone(),
            count: r.count,
            with_outcome: r.with_outcome,
            share_with_outcome: r.share_with_outcome,
            defaults: r.defaults,
            default_rate: r.default_rate,
        }
    }
}

#[derive(Serialize)]
pub struct PolicyBody {
    pub policy_id: String,
    pub version: u32,
    pub rows: Vec<RowBody>,
    pub total: Option<RowBody>,
    /// How well the company score ranks payers above defaulters; `null` unless both occur.
    pub ks: Option<f64>,
    pub gini: Option<f64>,
}

#[derive(Serialize)]
pub struct PerformanceBody {
    pub policies: Vec<PolicyBody>,
    pub meta: Meta,
}

pub async fn performance(
    State(state): State<AppState>,
    partner: Partner,
    headers: HeaderMap,
    Query(period): Query<Period>,
) -> Result<Response, ApiError> {
    let mut violations = Vec::new();
    let created_from = query_day(
        "created_from",
        period.created_from.as_deref(),
        &mut violations,
    );
    let created_to = query_day("created_to", period.created_to.as_deref(), &mut violations);
    if !violations.is_empty() {
        return Err(ApiError::invalid_fields(
            ErrorCode::InvalidArgument,
            "invalid report period",
            violations,
        ));
    }
    let report = super::analysis::client(&state)
        .get_performance_report(partner.request(GetPerformanceReportRequest {
            tenant_id: String::new(),
            created_from,
            created_to,
        }))
        .await?
        .into_inner();
    if wants_csv(&headers) {
        return Ok(csv_response(csv(&report.policies)));
    }
    Ok(Json(PerformanceBody {
        policies: report
            .policies
            .iter()
            .map(|p| PolicyBody {
                policy_id: p.policy_id.clone(),
                version: p.version,
                rows: p.rows.iter().map(RowBody::from).collect(),
                total: p.total.as_ref().map(RowBody::from),
                ks: p.ks,
                gini: p.gini,
            })
            .collect(),
        meta: partner.meta(),
    })
    .into_response())
}

/// A text cell: quoted (quotes doubled) when it holds a comma, a quote or a line break
/// (RFC 4180); policy ids are any visible ASCII.
fn csv_text(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// One line per policy version and group (its `total` last), KS and Gini on every line of
/// the version; an absent number is an empty cell.
fn csv(policies: &[PolicyPerformance]) -> String {
    let number = |n: Option<f64>| n.map(|n| n.to_string()).unwrap_or_default();
    let mut out = String::from(
        "policy_id,version,group,count,with_outcome,share_with_outcome,defaults,default_rate,ks,gini\n",
    );
    for p in policies {
        for row in p.rows.iter().chain(&p.total) {
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{}\n",
                csv_text(&p.policy_id),
                p.version,
                row.group,
                row.count,
                row.with_outcome,
                number(row.share_with_outcome),
                row.defaults,
                number(row.default_rate),
                number(p.ks),
                number(p.gini),
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
        let row = |group: &str, count, with_outcome, defaults, rate| PerformanceRow {
            group: group.into(),
            count,
            with_outcome,
            share_with_outcome: Some(with_outcome as f64 / count as f64),
            defaults,
            default_rate: rate,
        };
        let policies = [PolicyPerformance {
            policy_id: "strict,lp".into(),
            version: 2,
            rows: vec![row("automatically_approved", 4, 2, 1, Some(0.5))],
            total: Some(row("total", 4, 2, 1, Some(0.5))),
            ks: None,
            gini: Some(0.25),
        }];
        assert_eq!(
            csv(&policies),
            "policy_id,version,group,count,with_outcome,share_with_outcome,defaults,default_rate,ks,gini\n\
             \"strict,lp\",2,automatically_approved,4,2,0.5,1,0.5,,0.25\n\
             \"strict,lp\",2,total,4,2,0.5,1,0.5,,0.25\n"
        );
    }
}
