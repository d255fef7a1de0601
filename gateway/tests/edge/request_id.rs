//! `X-Request-Id` on every answer: assigned when absent, the caller's kept when given, and the
//! same id in the envelope, the answer's `meta` and the upstream call.

use crate::helpers::{TOKEN, TestRequest, json_score, spawn_gateway};
use aval_testkit::TestResult;
use axum::http::StatusCode;

#[tokio::test]
async fn a_request_without_an_id_gets_a_fresh_uuid_used_everywhere() -> TestResult {
    let gateway = spawn_gateway().await?;

    let answer = gateway.send(json_score()).await?;

    assert_eq!(answer.status, StatusCode::OK);
    let id = answer.request_id()?;
    assert_eq!(uuid::Uuid::parse_str(id)?.get_version_num(), 4, "{id}");
    assert_eq!(answer.json()?["meta"]["request_id"], id);
    let call = gateway.fakes.score.single_call()?;
    assert_eq!(call.header("x-request-id"), Some(id));
    assert_eq!(call.message.request_id, id);

    let other = gateway.send(json_score()).await?;
    assert_ne!(other.request_id()?, id, "each request gets its own id");
    Ok(())
}

#[tokio::test]
async fn the_callers_request_id_is_kept_on_success_and_on_error() -> TestResult {
    let gateway = spawn_gateway().await?;

    let ok = gateway
        .send(json_score().header("x-request-id", "claro-7f3a-0001"))
        .await?;
    let refused = gateway
        .send(TestRequest::get("/v1/usage").header("X-Request-Id", "claro-7f3a-0002"))
        .await?;

    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.request_id()?, "claro-7f3a-0001");
    assert_eq!(ok.json()?["meta"]["request_id"], "claro-7f3a-0001");
    let call = gateway.fakes.score.single_call()?;
    assert_eq!(call.header("x-request-id"), Some("claro-7f3a-0001"));
    assert_eq!(call.message.request_id, "claro-7f3a-0001");

    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.request_id()?, "claro-7f3a-0002");
    assert_eq!(refused.envelope()?.request_id, "claro-7f3a-0002");
    Ok(())
}

#[tokio::test]
async fn every_kind_of_answer_carries_a_request_id() -> TestResult {
    let gateway = spawn_gateway().await?;
    // What is asked, the status expected, and where the body repeats the id (if it does).
    let requests = [
        (TestRequest::get("/healthz"), StatusCode::OK, None),
        (json_score(), StatusCode::OK, Some("/meta/request_id")),
        (
            TestRequest::get("/v2/nothing"),
            StatusCode::NOT_FOUND,
            Some("/error/request_id"),
        ),
        (
            TestRequest::get("/v1/usage?from=yesterday").bearer(TOKEN),
            StatusCode::BAD_REQUEST,
            Some("/error/request_id"),
        ),
        (
            TestRequest::post("/oauth2/v1/token").form("grant_type=client_credentials"),
            StatusCode::UNAUTHORIZED,
            Some("/request_id"),
        ),
    ];

    for (request, status, id_in_body) in requests {
        let answer = gateway.send(request).await?;

        assert_eq!(answer.status, status);
        let id = answer.request_id()?;
        assert!(uuid::Uuid::parse_str(id).is_ok(), "{status}: {id}");
        if let Some(pointer) = id_in_body {
            assert_eq!(
                answer.json()?.pointer(pointer),
                Some(&id.into()),
                "{status}"
            );
        }
    }
    Ok(())
}
