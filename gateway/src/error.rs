//! One JSON error envelope on every route:
//! `{"error": {"code", "message", "details": [{"field", "code", "message"}], "request_id"}}`.
//!
//! Handlers return [`ApiError`]; it travels in the response's extensions to
//! [`render_errors`], which knows the request id and writes the envelope.

use axum::{
    Json,
    extract::Request,
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Response},
};
use serde::Serialize;

/// One invalid field of a request.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ErrorDetail {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// An error answer: HTTP status, a stable code (`NOT_FOUND`, `INVALID_DOCUMENT`, …), a message
/// for people and field-level details.
#[derive(Clone, Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Vec<ErrorDetail>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

#[derive(Serialize)]
struct Envelope<'a> {
    error: Body<'a>,
}

#[derive(Serialize)]
struct Body<'a> {
    code: &'a str,
    message: &'a str,
    details: &'a [ErrorDetail],
    request_id: &'a str,
}

/// Writes the envelope of any [`ApiError`] response, with the request's id.
pub async fn render_errors(request: Request, next: Next) -> Response {
    let request_id = request
        .headers()
        .get(aval_mesh::propagation::REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let mut response = next.run(request).await;
    let Some(error) = response.extensions_mut().remove::<ApiError>() else {
        return response;
    };
    let body = Json(Envelope {
        error: Body {
            code: error.code,
            message: &error.message,
            details: &error.details,
            request_id: &request_id,
        },
    });
    let (mut parts, _) = response.into_parts();
    let rendered = body.into_response();
    parts.headers.extend(rendered.headers().clone());
    Response::from_parts(parts, rendered.into_body())
}

/// The answer for a route that does not exist.
pub async fn not_found(request: Request) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        format!("no route for {} {}", request.method(), request.uri().path()),
    )
}
