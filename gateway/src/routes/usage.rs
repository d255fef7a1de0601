//! `GET /v1/usage?from=YYYY-MM-DD&to=YYYY-MM-DD`: the tenant's delivered answers by day and
//! product, as JSON, or CSV with `Accept: text/csv`. Days are Brasília days (UTC−3).
//! Defaults: this month so far.

use crate::{AppState, credentials, error::ApiError, grpc};
use aval_proto::billing::v1::{
    GetUsageReportRequest, Product, billing_service_client::BillingServiceClient,
};
use axum::{
    Json,
    extract::{Query, State},
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Response},
};
use chrono::{Datelike, Utc};
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
    totals: BTreeMap<&'static str, i64>,
}

#[derive(Serialize)]
struct RowBody {
    day: String,
    product: &'static str,
    answers: i64,
}

fn product_name(product: Product) -> &'static str {
    match product {
        Product::ConsumerScore => "consumer_score",
        Product::LegalPersonAnalysis => "legal_person_analysis",
        Product::Unspecified => "unspecified",
    }
}

pub async fn report(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(period): Query<Period>,
) -> Result<Response, ApiError> {
    let bearer = credentials::require_bearer(&headers)?;
    let today = aval_mesh::time::billing_day(Utc::now());
    let from = period.from.unwrap_or_else(|| {
        today
            .with_day(1)
            .unwrap_or(today)
            .format("%Y-%m-%d")
            .to_string()
    });
    let to = period
        .to
        .unwrap_or_else(|| today.format("%Y-%m-%d").to_string());
    let request_id = grpc::request_id(&headers);
    let message = GetUsageReportRequest {
        tenant_id: String::new(),
        from: from.clone(),
        to: to.clone(),
    };
    let report = BillingServiceClient::new(state.upstreams.billing.channel.clone())
        .get_usage_report(grpc::request(message, Some(bearer), &request_id))
        .await?
        .into_inner();
    let rows: Vec<RowBody> = report
        .rows
        .into_iter()
        .map(|r| RowBody {
            product: product_name(r.product()),
            day: r.day,
            answers: r.answers,
        })
        .collect();
    let wants_csv = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/csv"));
    if wants_csv {
        let mut csv = String::from("day,product,answers\n");
        for row in &rows {
            csv.push_str(&format!("{},{},{}\n", row.day, row.product, row.answers));
        }
        let mut response = csv.into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/csv; charset=utf-8"),
        );
        return Ok(response);
    }
    let mut totals = BTreeMap::new();
    for row in &rows {
        *totals.entry(row.product).or_insert(0) += row.answers;
    }
    Ok(Json(UsageBody {
        from,
        to,
        rows,
        totals,
    })
    .into_response())
}
