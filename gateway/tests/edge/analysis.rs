//! `GET /credit_analysis/{id}`: the id reaches analysis and its refusals keep their status.
//! (The answer's body, and the submit route, belong to the analysis contract's own tests.)

use crate::helpers::{TOKEN, TestRequest, spawn_gateway};
use aval_errors::ErrorCode;
use aval_testkit::TestResult;
use aval_transport::status::status;
use axum::http::StatusCode;

#[tokio::test]
async fn the_id_in_the_path_reaches_analysis() -> TestResult {
    let gateway = spawn_gateway().await?;

    let answer = gateway
        .send(TestRequest::get("/credit_analysis/qi-0042").bearer(TOKEN))
        .await?;

    assert_eq!(answer.status, StatusCode::OK);
    let call = gateway.fakes.analysis.single_call()?;
    assert_eq!(call.message.id, "qi-0042");
    assert_eq!(
        call.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    Ok(())
}

#[tokio::test]
async fn refusals_keep_their_status() -> TestResult {
    let gateway = spawn_gateway().await?;
    let cases = [
        (ErrorCode::NotFound, StatusCode::NOT_FOUND),
        (ErrorCode::PermissionDenied, StatusCode::FORBIDDEN),
        (ErrorCode::QuotaExceeded, StatusCode::TOO_MANY_REQUESTS),
    ];

    for (code, http) in cases {
        gateway
            .fakes
            .analysis
            .fails_with(status(code, "no analysis qi-0042 for this tenant"));

        let answer = gateway
            .send(TestRequest::get("/credit_analysis/qi-0042").bearer(TOKEN))
            .await?;

        assert_eq!(answer.status, http, "{code}");
        assert_eq!(answer.envelope()?.code, code.as_str());
    }
    Ok(())
}
