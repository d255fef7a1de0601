//! Partner routes need a bearer token, from `Authorization` or Claro's `x-client-auth`; without
//! one the gateway answers 401 itself and calls no upstream.

use crate::helpers::{CPF, TOKEN, TestRequest, spawn_gateway};
use aval_testkit::TestResult;
use axum::http::StatusCode;
use serde_json::json;

/// Every partner route, asked without credentials.
fn partner_routes() -> Vec<TestRequest> {
    vec![
        TestRequest::post("/v1/scores").json(&json!({ "document": CPF })),
        TestRequest::post("/customers/v1/customscores").header("document", CPF),
        TestRequest::get("/v1/usage"),
        TestRequest::get("/credit_analysis/12345678"),
    ]
}

#[tokio::test]
async fn without_a_bearer_token_partner_routes_are_401_and_no_upstream_is_called() -> TestResult {
    let gateway = spawn_gateway().await?;
    // Nothing, a Basic credential, an empty bearer, a bearer with no token after it.
    let credentials = [
        None,
        Some(("authorization", "Basic aWQ6c2VjcmV0")),
        Some(("authorization", "Bearer ")),
        Some(("x-client-auth", "Bearer")),
        Some(("x-client-auth", TOKEN)),
    ];

    for credential in credentials {
        for request in partner_routes() {
            let request = match credential {
                Some((name, value)) => request.header(name, value),
                None => request,
            };

            let answer = gateway.send(request).await?;

            assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{credential:?}");
            let error = answer.envelope()?;
            assert_eq!(error.code, "UNAUTHENTICATED");
            assert_eq!(
                error.message,
                "a bearer token is required (Authorization or x-client-auth)"
            );
            assert!(error.details.is_empty());
        }
    }
    assert_eq!(gateway.fakes.calls(), 0);
    Ok(())
}

#[tokio::test]
async fn x_client_auth_carries_a_bearer_token_like_authorization() -> TestResult {
    let gateway = spawn_gateway().await?;

    let answer = gateway
        .send(
            TestRequest::post("/customers/v1/customscores")
                .header("x-client-auth", "bearer claro.partner.token")
                .header("document", CPF),
        )
        .await?;

    assert_eq!(answer.status, StatusCode::OK);
    let call = gateway.fakes.score.single_call()?;
    assert_eq!(
        call.header("authorization"),
        Some("Bearer claro.partner.token")
    );
    Ok(())
}
