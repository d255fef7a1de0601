//! `GET /v1/usage?from=YYYY-MM-DD&to=YYYY-MM-DD`: the tenant's delivered answers by day and
//! product, as JSON, or CSV with `Accept: text/csv`. Days are Brasília days (UTC−3); billing
//! decides the period when it is not given (this month so far).

use super::{csv_response, query_day, wants_csv};
use crate::{
    AppState,
    dto::{days::format_day, names::enum_name},
    error::ApiError,
    extract::Partner,
};
use aval_errors::ErrorCode;
use aval_proto::{
    billing::v1::{GetUsageReportRequest, billing_service_client::BillingServiceClient},
    common::v1::Date,
    usage::v1::Product,
};
use axum::{
    Json,
    extract::{Query, State},
    http::HeaderMap,
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Deserialize)]
pub struct Period {
    from: Option<String>,
    to: Option<String>,
}

#[derive(Serialize)]
struct UsageBody {
    from: String,
    to: String,
    rows: Vec<RowBody>,
    /// Answers per product over the period.
    totals: BTreeMap<String, i64>,
}

#[derive(Serialize)]
struct RowBody {
    day: String,
    product: String,
    answers: i64,
}

fn product_name(product: Product) -> String {
    enum_name(product.as_str_name(), "PRODUCT_")
}

fn day_text(date: Option<&Date>) -> String {
    date.map(format_day).unwrap_or_default()
}

pub async fn report(
    State(state): State<AppState>,
    partner: Partner,
    headers: HeaderMap,
    Query(period): Query<Period>,
) -> Result<Response, ApiError> {
    let mut violations = Vec::new();
    let from = query_day("from", period.from.as_deref(), &mut violations);
    let to = query_day("to", period.to.as_deref(), &mut violations);
    if !violations.is_empty() {
        return Err(ApiError::invalid_fields(
            ErrorCode::InvalidArgument,
            "invalid report period",
            violations,
        ));
    }
    let message = GetUsageReportRequest {
        tenant_id: String::new(),
        from,
        to,
    };
    let report = BillingServiceClient::new(state.upstreams.billing.channel.clone())
        .get_usage_report(partner.request(message))
        .await?
        .into_inner();
    let rows: Vec<RowBody> = report
        .rows
        .iter()
        .map(|r| RowBody {
            product: product_name(r.product()),
            day: day_text(r.day.as_ref()),
            answers: r.answers,
        })
        .collect();
    if wants_csv(&headers) {
        let mut csv = String::from("day,product,answers\n");
        for row in &rows {
            csv.push_str(&format!("{},{},{}\n", row.day, row.product, row.answers));
        }
        return Ok(csv_response(csv));
    }
    let mut totals = BTreeMap::new();
    for row in &rows {
        *totals.entry(row.product.clone()).or_insert(0) += row.answers;
    }
    Ok(Json(UsageBody {
        from: day_text(report.from.as_ref()),
        to: day_text(report.to.as_ref()),
        rows,
        totals,
    })
    .into_response())
}
