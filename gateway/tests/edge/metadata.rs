//! What an upstream call carries besides its message: the partner's bearer token, the request
//! id and the W3C trace context of the HTTP request's span.

use crate::helpers::{CPF, TOKEN, TestRequest, json_score, spawn_gateway};
use aval_testkit::TestResult;
use axum::http::StatusCode;

/// The trace id of a `traceparent` (`00-<trace id>-<span id>-<flags>`), if it is well formed.
fn trace_id(traceparent: &str) -> Option<&str> {
    let parts: Vec<&str> = traceparent.split('-').collect();
    let hex = |s: &str, len| s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit());
    match parts.as_slice() {
        ["00", trace, span, flags]
            if hex(trace, 32)
                && hex(span, 16)
                && hex(flags, 2)
                && trace.bytes().any(|b| b != b'0') =>
        {
            Some(trace)
        }
        _ => None,
    }
}

#[tokio::test]
async fn the_bearer_token_request_id_and_trace_context_reach_every_upstream() -> TestResult {
    let gateway = spawn_gateway().await?;
    let requests = [
        json_score(),
        TestRequest::post("/customers/v1/customscores")
            .bearer(TOKEN)
            .header("document", CPF),
        TestRequest::get("/v1/usage").bearer(TOKEN),
        TestRequest::get("/credit_analysis/12345678").bearer(TOKEN),
    ];

    for request in requests {
        let answer = gateway
            .send(request.header("x-request-id", "req-meta-1"))
            .await?;
        assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.text());
    }

    let fakes = &gateway.fakes;
    let metadata: Vec<_> = fakes
        .score
        .received()
        .into_iter()
        .map(|c| c.metadata)
        .chain(fakes.billing.received().into_iter().map(|c| c.metadata))
        .chain(fakes.analysis.received().into_iter().map(|c| c.metadata))
        .collect();
    assert_eq!(metadata.len(), 4);
    let mut trace_ids = Vec::new();
    for metadata in &metadata {
        let header = |name| metadata.get(name).and_then(|v| v.to_str().ok());
        assert_eq!(
            header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert_eq!(header("x-request-id"), Some("req-meta-1"));
        let traceparent = header("traceparent").unwrap_or_default();
        let Some(trace) = trace_id(traceparent) else {
            anyhow::bail!("no valid traceparent: {traceparent:?}");
        };
        trace_ids.push(trace.to_owned());
    }
    trace_ids.sort();
    trace_ids.dedup();
    assert_eq!(trace_ids.len(), 4, "each HTTP request is its own trace");
    Ok(())
}

#[tokio::test]
async fn the_token_route_sends_no_bearer_upstream() -> TestResult {
    let gateway = spawn_gateway().await?;

    let answer = gateway
        .send(
            TestRequest::post("/oauth2/v1/token")
                .header("authorization", "Basic aWQ6c2VjcmV0")
                .header("x-request-id", "req-token-1")
                .form("grant_type=client_credentials"),
        )
        .await?;

    assert_eq!(answer.status, StatusCode::OK);
    let call = gateway.fakes.auth.single_call()?;
    assert_eq!(call.header("authorization"), None);
    assert_eq!(call.header("x-request-id"), Some("req-token-1"));
    Ok(())
}
