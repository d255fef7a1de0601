//! `/readyz` asks each upstream over its own channel; one that is down is named and the
//! gateway says it is degraded, but stays ready: readiness is about the gateway itself.

use crate::helpers::{Service, TestRequest, spawn_gateway, spawn_gateway_with_down};
use aval_testkit::TestResult;
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn ready_when_every_upstream_serves() -> TestResult {
    let gateway = spawn_gateway().await?;

    let answer = gateway.send(TestRequest::get("/readyz")).await?;

    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.json()?,
        json!({
            "status": "ready",
            "upstreams": {
                "analysis-service": "SERVING",
                "auth-service": "SERVING",
                "billing-service": "SERVING",
                "score-service": "SERVING",
            },
        })
    );
    Ok(())
}

#[tokio::test]
async fn degraded_but_ready_naming_the_upstream_that_is_down() -> TestResult {
    let gateway = spawn_gateway_with_down(Service::Billing).await?;

    let answer = gateway.send(TestRequest::get("/readyz")).await?;

    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.json()?,
        json!({
            "status": "degraded",
            "upstreams": {
                "analysis-service": "SERVING",
                "auth-service": "SERVING",
                "billing-service": "UNREACHABLE",
                "score-service": "SERVING",
            },
        })
    );
    Ok(())
}
