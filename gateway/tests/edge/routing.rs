//! Requests for routes that do not exist get the envelope too.

use crate::helpers::{TOKEN, TestRequest, spawn_gateway};
use aval_testkit::TestResult;
use axum::http::StatusCode;

#[tokio::test]
async fn an_unknown_route_is_404_not_found_in_the_envelope() -> TestResult {
    let gateway = spawn_gateway().await?;

    for (request, message) in [
        (
            TestRequest::get("/v2/scores").bearer(TOKEN),
            "no route for GET /v2/scores",
        ),
        (TestRequest::post("/"), "no route for POST /"),
        (
            TestRequest::get("/credit_analysis/a/b"),
            "no route for GET /credit_analysis/a/b",
        ),
    ] {
        let answer = gateway.send(request).await?;

        assert_eq!(answer.status, StatusCode::NOT_FOUND);
        assert_eq!(answer.header("content-type"), Some("application/json"));
        let error = answer.envelope()?;
        assert_eq!(
            (error.code.as_str(), error.message.as_str()),
            ("NOT_FOUND", message)
        );
        assert!(error.details.is_empty());
    }
    assert_eq!(gateway.fakes.calls(), 0);
    Ok(())
}

#[tokio::test]
async fn a_wrong_method_is_405_in_the_envelope() -> TestResult {
    let gateway = spawn_gateway().await?;

    let answer = gateway
        .send(TestRequest::get("/v1/scores").bearer(TOKEN))
        .await?;

    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
    let error = answer.envelope()?;
    assert_eq!(
        (error.code.as_str(), error.message.as_str()),
        ("METHOD_NOT_ALLOWED", "/v1/scores does not take GET")
    );
    assert_eq!(gateway.fakes.calls(), 0);
    Ok(())
}
