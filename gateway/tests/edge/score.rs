//! Consumer scores: Claro's headers (`/customers/v1/customscores`) and Aval's JSON body
//! (`/v1/scores`), their validation before any upstream call, and the answer's shape.

use crate::{
    fakes::canned,
    helpers::{CPF, Detail, TOKEN, TestRequest, json_score, spawn_gateway},
};
use aval_proto::score::v1::{GetScoreRequest, RiskBand};
use aval_testkit::TestResult;
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn the_score_answer_has_the_documented_shape() -> TestResult {
    let gateway = spawn_gateway().await?;

    let answer = gateway
        .send(json_score().header("x-request-id", "req-shape"))
        .await?;

    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    let mut body = answer.json()?;
    // The latency is whatever it was; only its type is part of the contract.
    let latency = body["meta"]["latency_ms"].take();
    assert!(latency.is_u64(), "latency_ms {latency}");
    assert_eq!(
        body,
        json!({
            "score": 680,
            "band": "low",
            "probability_of_default": 0.0734,
            "reasons": [
                {
                    "code": "LATE_PAYMENTS",
                    "description": "late payments in the last 12 months",
                    "impact": 42.5,
                },
                {
                    "code": "SHORT_HISTORY",
                    "description": "customer for less than a year",
                    "impact": 12.0,
                },
            ],
            "model": { "id": "claro-default", "version": 3 },
            "answer_id": "0197a6f2-6c1e-7d3a-9b1e-2f1c4b5a6d7e",
            "meta": { "request_id": "req-shape", "latency_ms": null },
        })
    );
    Ok(())
}

#[tokio::test]
async fn every_risk_band_has_its_name() -> TestResult {
    let gateway = spawn_gateway().await?;
    let bands = [
        (RiskBand::VeryLow, "very_low"),
        (RiskBand::Low, "low"),
        (RiskBand::Medium, "medium"),
        (RiskBand::High, "high"),
        (RiskBand::VeryHigh, "very_high"),
        (RiskBand::Unspecified, "unspecified"),
    ];

    for (band, name) in bands {
        gateway
            .fakes
            .score
            .answers(aval_proto::score::v1::GetScoreResponse {
                band: band.into(),
                ..canned::score()
            });

        let answer = gateway.send(json_score()).await?;

        assert_eq!(answer.json()?["band"], name);
    }
    Ok(())
}

#[tokio::test]
async fn both_routes_send_the_document_model_and_customer_id_to_score() -> TestResult {
    let gateway = spawn_gateway().await?;

    let headers = gateway
        .send(
            TestRequest::post("/customers/v1/customscores")
                .bearer(TOKEN)
                .header("x-request-id", "req-headers")
                .header("document", &format!("  {CPF} "))
                .header("score", "claro-default")
                .header("X-CustomerID", "claro-customer-81"),
        )
        .await?;
    let body = gateway
        .send(
            TestRequest::post("/v1/scores")
                .bearer(TOKEN)
                .header("x-request-id", "req-body")
                .json(&json!({
                    "document": "52998224725",
                    "model": "aval-v2",
                    "customer_id": "c-9",
                })),
        )
        .await?;

    assert_eq!(
        (headers.status, body.status),
        (StatusCode::OK, StatusCode::OK)
    );
    let received: Vec<GetScoreRequest> = gateway.fakes.score.messages();
    assert_eq!(
        received,
        [
            GetScoreRequest {
                document: CPF.to_owned(),
                model: Some("claro-default".to_owned()),
                customer_id: Some("claro-customer-81".to_owned()),
                request_id: "req-headers".to_owned(),
            },
            GetScoreRequest {
                document: "52998224725".to_owned(),
                model: Some("aval-v2".to_owned()),
                customer_id: Some("c-9".to_owned()),
                request_id: "req-body".to_owned(),
            },
        ]
    );
    Ok(())
}

#[tokio::test]
async fn customscores_without_a_document_is_invalid_document_and_score_is_not_called() -> TestResult
{
    let gateway = spawn_gateway().await?;

    for request in [
        TestRequest::post("/customers/v1/customscores").bearer(TOKEN),
        TestRequest::post("/customers/v1/customscores")
            .bearer(TOKEN)
            .header("document", "   "),
    ] {
        let answer = gateway
            .send(request.header("score", "claro-default"))
            .await?;

        assert_eq!(answer.status, StatusCode::BAD_REQUEST);
        let error = answer.envelope()?;
        assert_eq!(error.code, "INVALID_DOCUMENT");
        assert_eq!(
            error.details,
            [Detail::new(
                "document",
                "REQUIRED",
                "the `document` header must carry the CPF"
            )]
        );
    }
    assert_eq!(gateway.fakes.calls(), 0);
    Ok(())
}

#[tokio::test]
async fn v1_scores_without_a_document_is_invalid_document() -> TestResult {
    let gateway = spawn_gateway().await?;

    let answer = gateway
        .send(
            TestRequest::post("/v1/scores")
                .bearer(TOKEN)
                .json(&json!({ "model": "aval-v2" })),
        )
        .await?;

    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let error = answer.envelope()?;
    assert_eq!(error.code, "INVALID_DOCUMENT");
    assert_eq!(
        error.details,
        [Detail::new("document", "REQUIRED", "the CPF is required")]
    );
    assert_eq!(gateway.fakes.calls(), 0);
    Ok(())
}

#[tokio::test]
async fn v1_scores_with_a_body_that_is_not_the_json_expected_is_invalid_body() -> TestResult {
    let gateway = spawn_gateway().await?;
    let bodies = [
        ("application/json", "document=52998224725"),
        ("application/json", "{\"document\": 52998224725}"),
        ("text/plain", "{\"document\": \"52998224725\"}"),
    ];

    for (content_type, body) in bodies {
        let answer = gateway
            .send(
                TestRequest::post("/v1/scores")
                    .bearer(TOKEN)
                    .body(content_type, body),
            )
            .await?;

        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
        let error = answer.envelope()?;
        assert_eq!(error.code, "INVALID_BODY", "{body}");
        let [detail] = error.details.as_slice() else {
            anyhow::bail!("expected one detail for {body}: {:?}", error.details);
        };
        assert_eq!(
            (detail.field.as_str(), detail.code.as_str()),
            ("body", "INVALID_JSON")
        );
        assert!(!detail.message.is_empty());
        assert_eq!(error.message, format!("invalid `body`: {}", detail.message));
    }
    assert_eq!(gateway.fakes.calls(), 0);
    Ok(())
}

/// The outcome feedback's day and the report's product are read at the edge: a bad one is
/// named before any upstream call.
#[tokio::test]
async fn outcome_days_and_report_products_are_checked_at_the_edge() -> TestResult {
    use axum::http::Method;
    let gateway = spawn_gateway().await?;

    let answer = gateway
        .send(
            TestRequest::new(Method::PUT, "/v1/scores/0197a6f2")
                .bearer(TOKEN)
                .json(&json!({ "credit_proposal_status": "paid", "event_date": "24/11/2026" })),
        )
        .await?;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let error = answer.envelope()?;
    assert_eq!(error.code, "INVALID_ARGUMENT");
    assert_eq!(
        error.details,
        [Detail::new(
            "event_date",
            "INVALID_DATE",
            "must be a date as YYYY-MM-DD (or an RFC 3339 date-time)"
        )]
    );

    let answer = gateway
        .send(
            TestRequest::get("/v1/reports/performance?product=scores&created_from=2026-13-01")
                .bearer(TOKEN),
        )
        .await?;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let fields: Vec<(String, String)> = answer
        .envelope()?
        .details
        .into_iter()
        .map(|d| (d.field, d.code))
        .collect();
    assert_eq!(
        fields,
        [
            ("created_from".to_owned(), "INVALID_DATE".to_owned()),
            ("product".to_owned(), "INVALID_ENUM".to_owned()),
        ]
    );
    Ok(())
}
