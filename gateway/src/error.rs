//! One JSON error envelope on every route:
//! `{"error": {"code", "message", "details": [{"field", "code", "message"}], "request_id"}}`.
//!
//! Handlers return [`ApiError`]; it travels in the response's extensions to
//! [`render_errors`], which knows the request id and writes the envelope.

use aval_errors::{ErrorCode, FieldCode, FieldViolation};
use aval_transport::status::{error_code, field_violations};
use axum::{
    Json,
    extract::Request,
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Response},
};
use serde::Serialize;

/// An error answer: a stable code (whose HTTP status it carries), a message for people and
/// field-level details.
#[derive(Clone, Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub details: Vec<FieldViolation>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// An error naming one invalid field.
    pub fn invalid_field(
        code: ErrorCode,
        field: &str,
        field_code: FieldCode,
        message: impl Into<String>,
    ) -> Self {
        let message = message.into();
        Self {
            code,
            message: format!("invalid `{field}`: {message}"),
            details: vec![FieldViolation::new(field, field_code, message)],
        }
    }

    /// An error listing several invalid fields.
    pub fn invalid_fields(code: ErrorCode, message: &str, details: Vec<FieldViolation>) -> Self {
        Self {
            code,
            message: message.to_owned(),
            details,
        }
    }

    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthenticated, message)
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// What partners read for a server-side failure: a fixed text per code, never the upstream's
/// message, which may carry internals (addresses, queries); the code tells failures apart.
fn server_error_message(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::Unavailable | ErrorCode::DeadlineExceeded | ErrorCode::ScoresUnavailable => {
            "a service is temporarily unavailable; retry later"
        }
        ErrorCode::NotImplemented => "not available yet",
        _ => "internal error",
    }
}

impl From<tonic::Status> for ApiError {
    fn from(status: tonic::Status) -> Self {
        let code = match error_code(&status) {
            // The mesh refusing the gateway itself is our misconfiguration, not the partner's;
            // which RPC was refused is none of the partner's business either.
            ErrorCode::MeshAccessDenied => ErrorCode::Internal,
            code => code,
        };
        let message = if code.http_status() < 500 {
            status.message().to_owned()
        } else {
            tracing::warn!(%status, "upstream call failed");
            server_error_message(code).to_owned()
        };
        Self {
            code,
            message,
            details: field_violations(&status),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.status().into_response();
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
    code: ErrorCode,
    message: &'a str,
    details: &'a [FieldViolation],
    request_id: &'a str,
}

/// Writes the envelope of any [`ApiError`] response, with the request's id.
pub async fn render_errors(request: Request, next: Next) -> Response {
    let request_id = request
        .headers()
        .get(aval_transport::propagation::REQUEST_ID)
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

/// The answer for a route that exists, called with a method it does not take.
pub async fn method_not_allowed(request: Request) -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        format!(
            "{} does not take {}",
            request.uri().path(),
            request.method()
        ),
    )
}

/// The answer for a route that does not exist.
pub async fn not_found(request: Request) -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        format!("no route for {} {}", request.method(), request.uri().path()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use aval_transport::status::status;

    #[test]
    fn grpc_errors_map_to_their_http_status_and_stable_code() {
        let quota = ApiError::from(status(ErrorCode::QuotaExceeded, "plan exhausted"));
        assert_eq!(
            (quota.status(), quota.code),
            (StatusCode::TOO_MANY_REQUESTS, ErrorCode::QuotaExceeded)
        );

        let conflict = ApiError::from(status(ErrorCode::ProposalConflict, "other body"));
        assert_eq!(conflict.status(), StatusCode::CONFLICT);

        let unavailable = ApiError::from(status(ErrorCode::ScoresUnavailable, "later"));
        assert_eq!(
            (unavailable.status(), unavailable.code),
            (
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::ScoresUnavailable
            )
        );

        // The mesh refusing the gateway is our misconfiguration: a 500 that names no RPC.
        let mesh = ApiError::from(status(
            ErrorCode::MeshAccessDenied,
            "`gateway` may not call /aval.x.v1.X/Y",
        ));
        assert_eq!(
            (mesh.status(), mesh.code),
            (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal)
        );
        assert!(!mesh.message.contains("/aval."));

        // A token problem is the partner's.
        let token = ApiError::from(tonic::Status::unauthenticated("the token has expired"));
        assert_eq!(
            (token.status(), token.code),
            (StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated)
        );

        // Internal details never reach the partner.
        let internal = ApiError::from(tonic::Status::internal("db password=hunter2 failed"));
        assert_eq!(internal.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!internal.message.contains("hunter2"));
    }
}
