//! `GET /v1/usage`: the period checked before billing is asked, and the report as JSON or CSV.

use crate::helpers::{Detail, TOKEN, TestRequest, spawn_gateway};
use aval_proto::{
    billing::v1::{GetUsageReportRequest, GetUsageReportResponse, UsageReportRow},
    common::v1::Date,
    usage::v1::Product,
};
use aval_testkit::TestResult;
use axum::http::StatusCode;
use serde_json::json;

fn date(year: i32, month: i32, day: i32) -> Option<Date> {
    Some(Date { year, month, day })
}

fn row(day: i32, product: Product, answers: i64) -> UsageReportRow {
    UsageReportRow {
        day: date(2026, 1, day),
        product: product.into(),
        answers,
    }
}

fn january() -> GetUsageReportResponse {
    GetUsageReportResponse {
        from: date(2026, 1, 1),
        to: date(2026, 1, 31),
        rows: vec![
            row(2, Product::ConsumerScore, 3),
            row(2, Product::LegalPersonAnalysis, 1),
            row(5, Product::ConsumerScore, 4),
        ],
    }
}

fn usage(query: &str) -> TestRequest {
    TestRequest::get(&format!("/v1/usage{query}")).bearer(TOKEN)
}

#[tokio::test]
async fn a_date_that_is_not_yyyy_mm_dd_is_400_and_billing_is_not_called() -> TestResult {
    let gateway = spawn_gateway().await?;
    let cases = [
        ("?from=2026-1-1", vec!["from"]),
        ("?to=2026-02-30", vec!["to"]),
        (
            "?from=01/01/2026&to=2026-01-31T00:00:00Z",
            vec!["from", "to"],
        ),
    ];

    for (query, fields) in cases {
        let answer = gateway.send(usage(query)).await?;

        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{query}");
        let error = answer.envelope()?;
        assert_eq!(error.code, "INVALID_ARGUMENT");
        assert_eq!(error.message, "invalid report period");
        let expected: Vec<Detail> = fields
            .iter()
            .map(|field| Detail::new(field, "INVALID_DATE", "must be a date as YYYY-MM-DD"))
            .collect();
        assert_eq!(error.details, expected, "{query}");
    }
    assert_eq!(gateway.fakes.calls(), 0);
    Ok(())
}

#[tokio::test]
async fn the_period_reaches_billing_as_dates_and_absent_ends_stay_absent() -> TestResult {
    let gateway = spawn_gateway().await?;

    let period = gateway
        .send(usage("?from=2026-01-01&to=2026-01-31"))
        .await?;
    let open = gateway.send(usage("")).await?;

    assert_eq!(
        (period.status, open.status),
        (StatusCode::OK, StatusCode::OK)
    );
    let received: Vec<GetUsageReportRequest> = gateway.fakes.billing.messages();
    assert_eq!(
        received,
        [
            GetUsageReportRequest {
                tenant_id: String::new(),
                from: date(2026, 1, 1),
                to: date(2026, 1, 31),
            },
            GetUsageReportRequest::default(),
        ]
    );
    Ok(())
}

#[tokio::test]
async fn the_report_renders_as_json_with_totals() -> TestResult {
    let gateway = spawn_gateway().await?;
    gateway.fakes.billing.answers(january());

    let answer = gateway.send(usage("?from=2026-01-01")).await?;

    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert_eq!(
        answer.json()?,
        json!({
            "from": "2026-01-01",
            "to": "2026-01-31",
            "rows": [
                { "day": "2026-01-02", "product": "consumer_score", "answers": 3 },
                { "day": "2026-01-02", "product": "legal_person_analysis", "answers": 1 },
                { "day": "2026-01-05", "product": "consumer_score", "answers": 4 },
            ],
            "totals": { "consumer_score": 7, "legal_person_analysis": 1 },
        })
    );
    Ok(())
}

#[tokio::test]
async fn the_report_renders_as_csv_when_asked() -> TestResult {
    let gateway = spawn_gateway().await?;
    gateway.fakes.billing.answers(january());

    let answer = gateway
        .send(usage("").header("accept", "text/csv, application/json;q=0.5"))
        .await?;

    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.header("content-type"),
        Some("text/csv; charset=utf-8")
    );
    assert_eq!(
        answer.text()?,
        "day,product,answers\n\
         2026-01-02,consumer_score,3\n\
         2026-01-02,legal_person_analysis,1\n\
         2026-01-05,consumer_score,4\n"
    );
    Ok(())
}
