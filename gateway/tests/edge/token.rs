//! `POST /oauth2/v1/token`: RFC 6749 client credentials with the client in HTTP Basic (from
//! `Authorization` or `x-client-auth`) or the form, and RFC 6749 §5.2 errors.

use crate::{
    fakes::canned,
    helpers::{Answer, TestGateway, TestRequest, spawn_gateway},
};
use aval_errors::{ErrorCode, OAuthError};
use aval_proto::auth::v1::IssueTokenRequest;
use aval_testkit::TestResult;
use aval_transport::status::{oauth_status, status};
use axum::http::StatusCode;
use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::json;
use tonic::Code;

const GRANT: &str = "grant_type=client_credentials&scope=scores%3Aread";

fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
}

fn token_request() -> TestRequest {
    TestRequest::post("/oauth2/v1/token")
}

/// Asserts an RFC 6749 error answer and returns its `error_description`.
fn assert_oauth_error(answer: &Answer, status: StatusCode, error: &str) -> anyhow::Result<String> {
    assert_eq!(answer.status, status, "{:?}", answer.text());
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    assert_eq!(answer.header("pragma"), Some("no-cache"));
    let www_authenticate = (status == StatusCode::UNAUTHORIZED).then_some("Basic realm=\"aval\"");
    assert_eq!(answer.header("www-authenticate"), www_authenticate);
    let body = answer.json()?;
    assert_eq!(body["error"], error);
    assert_eq!(body["request_id"], answer.request_id()?);
    Ok(body["error_description"]
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

fn assert_no_call(gateway: &TestGateway) {
    assert_eq!(gateway.fakes.calls(), 0, "auth must not be asked");
}

#[tokio::test]
async fn basic_credentials_from_either_header_or_the_form_reach_auth() -> TestResult {
    let gateway = spawn_gateway().await?;
    let requests = [
        token_request()
            .header("authorization", &basic("client-a", "s3cret:a"))
            .form(GRANT),
        token_request()
            .header("x-client-auth", &basic("client-b", "s3cret-b"))
            .form(GRANT),
        token_request().form(&format!(
            "{GRANT}&client_id=client-c&client_secret=s3cret-c"
        )),
    ];

    for request in requests {
        let answer = gateway.send(request).await?;

        assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.text());
        assert_eq!(answer.header("cache-control"), Some("no-store"));
        assert_eq!(answer.header("pragma"), Some("no-cache"));
        let token = canned::token();
        assert_eq!(
            answer.json()?,
            json!({
                "access_token": token.access_token,
                "token_type": token.token_type,
                "expires_in": token.expires_in,
                "scope": token.scope,
            })
        );
    }
    let received: Vec<IssueTokenRequest> = gateway.fakes.auth.messages();
    let expected = |id: &str, secret: &str| IssueTokenRequest {
        client_id: id.to_owned(),
        client_secret: secret.to_owned(),
        scope: "scores:read".to_owned(),
    };
    assert_eq!(
        received,
        [
            expected("client-a", "s3cret:a"),
            expected("client-b", "s3cret-b"),
            expected("client-c", "s3cret-c"),
        ]
    );
    Ok(())
}

#[tokio::test]
async fn without_client_credentials_it_is_invalid_client_and_auth_is_not_asked() -> TestResult {
    let gateway = spawn_gateway().await?;

    let missing = gateway.send(token_request().form(GRANT)).await?;
    let malformed = gateway
        .send(
            token_request()
                .header("x-client-auth", "Basic not-base64!")
                .form(GRANT),
        )
        .await?;

    let description = assert_oauth_error(&missing, StatusCode::UNAUTHORIZED, "invalid_client")?;
    assert_eq!(
        description,
        "client authentication is required (HTTP Basic in Authorization or x-client-auth)"
    );
    let description = assert_oauth_error(&malformed, StatusCode::UNAUTHORIZED, "invalid_client")?;
    assert_eq!(description, "malformed Basic credentials");
    assert_no_call(&gateway);
    Ok(())
}

#[tokio::test]
async fn grant_type_must_be_client_credentials() -> TestResult {
    let gateway = spawn_gateway().await?;
    let client = basic("client-a", "s3cret");

    let password = gateway
        .send(
            token_request()
                .header("authorization", &client)
                .form("grant_type=password&username=a&password=b"),
        )
        .await?;
    let missing = gateway
        .send(
            token_request()
                .header("authorization", &client)
                .form("scope=scores%3Aread"),
        )
        .await?;

    assert_oauth_error(&password, StatusCode::BAD_REQUEST, "unsupported_grant_type")?;
    let description = assert_oauth_error(&missing, StatusCode::BAD_REQUEST, "invalid_request")?;
    assert_eq!(description, "grant_type is required");
    assert_no_call(&gateway);
    Ok(())
}

#[tokio::test]
async fn a_body_that_is_not_a_form_is_invalid_request() -> TestResult {
    let gateway = spawn_gateway().await?;

    let answer = gateway
        .send(
            token_request()
                .header("authorization", &basic("client-a", "s3cret"))
                .json(&json!({ "grant_type": "client_credentials" })),
        )
        .await?;

    let description = assert_oauth_error(&answer, StatusCode::BAD_REQUEST, "invalid_request")?;
    assert_eq!(
        description,
        "the body must be application/x-www-form-urlencoded"
    );
    assert_no_call(&gateway);
    Ok(())
}

#[tokio::test]
async fn auth_refusals_become_rfc_6749_errors() -> TestResult {
    let gateway = spawn_gateway().await?;
    let cases = [
        (
            oauth_status(
                Code::Unauthenticated,
                OAuthError::InvalidClient,
                "wrong secret for client-a",
            ),
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client authentication failed",
        ),
        (
            oauth_status(
                Code::InvalidArgument,
                OAuthError::InvalidScope,
                "analysis:write not granted",
            ),
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            "the requested scope is not granted to this client",
        ),
        (
            status(
                ErrorCode::Internal,
                "signing key sealed at /var/lib/aval/key",
            ),
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "internal error",
        ),
        (
            tonic::Status::unavailable("connection refused 10.0.0.3:50051"),
            StatusCode::SERVICE_UNAVAILABLE,
            "server_error",
            "a service is temporarily unavailable; retry later",
        ),
    ];

    for (refusal, http, error, expected_description) in cases {
        gateway.fakes.auth.fails_with(refusal);

        let answer = gateway
            .send(
                token_request()
                    .header("authorization", &basic("client-a", "s3cret"))
                    .form(GRANT),
            )
            .await?;

        let description = assert_oauth_error(&answer, http, error)?;
        assert_eq!(description, expected_description);
    }
    Ok(())
}
