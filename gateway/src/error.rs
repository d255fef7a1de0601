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
    pub code: String,
    pub message: String,
    pub details: Vec<ErrorDetail>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_owned(),
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// A 400 naming one invalid field.
    pub fn invalid_field(
        code: &str,
        field: &str,
        detail_code: &str,
        message: impl Into<String>,
    ) -> Self {
        let message = message.into();
        Self {
            status: StatusCode::BAD_REQUEST,
            code: code.to_owned(),
            message: format!("invalid `{field}`: {message}"),
            details: vec![ErrorDetail {
                field: field.to_owned(),
                code: detail_code.to_owned(),
                message,
            }],
        }
    }

    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", message)
    }
}

/// The one table from gRPC code to HTTP status.
pub fn http_status(code: tonic::Code) -> StatusCode {
    use tonic::Code;
    match code {
        Code::Ok => StatusCode::OK,
        Code::InvalidArgument | Code::OutOfRange => StatusCode::BAD_REQUEST,
        Code::Unauthenticated => StatusCode::UNAUTHORIZED,
        Code::PermissionDenied => StatusCode::FORBIDDEN,
        Code::NotFound => StatusCode::NOT_FOUND,
        Code::AlreadyExists | Code::Aborted => StatusCode::CONFLICT,
        Code::FailedPrecondition => StatusCode::UNPROCESSABLE_ENTITY,
        Code::ResourceExhausted => StatusCode::TOO_MANY_REQUESTS,
        Code::Cancelled => StatusCode::from_u16(499).unwrap_or(StatusCode::BAD_REQUEST),
        Code::Unimplemented => StatusCode::NOT_IMPLEMENTED,
        Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Code::DeadlineExceeded => StatusCode::GATEWAY_TIMEOUT,
        Code::Unknown | Code::Internal | Code::DataLoss => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The stable code when the service gave none.
fn default_code(code: tonic::Code) -> &'static str {
    use tonic::Code;
    match code {
        Code::InvalidArgument | Code::OutOfRange => "INVALID_ARGUMENT",
        Code::Unauthenticated => "UNAUTHENTICATED",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists | Code::Aborted => "CONFLICT",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::ResourceExhausted => "RATE_LIMITED",
        Code::Unimplemented => "NOT_IMPLEMENTED",
        Code::Unavailable | Code::DeadlineExceeded | Code::Cancelled => "UNAVAILABLE",
        _ => "INTERNAL",
    }
}

impl From<tonic::Status> for ApiError {
    fn from(status: tonic::Status) -> Self {
        let reason = aval_mesh::error::reason(&status);
        // The mesh refusing the gateway itself is our misconfiguration, not the partner's.
        let http = if reason.as_deref() == Some(aval_mesh::authz::MESH_ACCESS_DENIED) {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            http_status(status.code())
        };
        let code = match reason {
            Some(reason) if reason != aval_mesh::authz::MESH_ACCESS_DENIED => reason,
            Some(_) => "INTERNAL".to_owned(),
            None => default_code(status.code()).to_owned(),
        };
        // Transport failures carry internals in their message: keep them in the log only.
        let message = if http.is_server_error() {
            tracing::warn!(%status, "upstream call failed");
            match status.code() {
                tonic::Code::Unavailable | tonic::Code::DeadlineExceeded => {
                    "a service is temporarily unavailable; retry later".to_owned()
                }
                _ if code != "INTERNAL" => status.message().to_owned(),
                _ => "internal error".to_owned(),
            }
        } else {
            status.message().to_owned()
        };
        let details = aval_mesh::error::field_violations(&status)
            .into_iter()
            .map(|v| ErrorDetail {
                field: v.field,
                code: v.code,
                message: v.message,
            })
            .collect();
        Self {
            status: http,
            code,
            message,
            details,
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
            code: &error.code,
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

#[cfg(test)]
mod tests {
    use super::*;
    use aval_mesh::error::status;
    use tonic::Code;

    #[test]
    fn grpc_errors_map_to_their_http_status_and_stable_code() {
        let quota = ApiError::from(status(
            Code::ResourceExhausted,
            "QUOTA_EXCEEDED",
            "plan exhausted",
        ));
        assert_eq!(
            (quota.status, quota.code.as_str()),
            (StatusCode::TOO_MANY_REQUESTS, "QUOTA_EXCEEDED")
        );

        let conflict = ApiError::from(status(
            Code::AlreadyExists,
            "PROPOSAL_CONFLICT",
            "other body",
        ));
        assert_eq!(conflict.status, StatusCode::CONFLICT);

        let unavailable = ApiError::from(status(Code::Unavailable, "SCORES_UNAVAILABLE", "later"));
        assert_eq!(
            (unavailable.status, unavailable.code.as_str()),
            (StatusCode::SERVICE_UNAVAILABLE, "SCORES_UNAVAILABLE")
        );

        // The mesh refusing the gateway is our misconfiguration: a 500 that names no RPC.
        let mesh = ApiError::from(status(
            Code::PermissionDenied,
            aval_mesh::authz::MESH_ACCESS_DENIED,
            "`gateway` may not call /aval.x.v1.X/Y",
        ));
        assert_eq!(
            (mesh.status, mesh.code.as_str()),
            (StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL")
        );
        assert!(!mesh.message.contains("/aval."));

        // A token problem is the partner's.
        let token = ApiError::from(tonic::Status::unauthenticated("the token has expired"));
        assert_eq!(
            (token.status, token.code.as_str()),
            (StatusCode::UNAUTHORIZED, "UNAUTHENTICATED")
        );

        // Internal details never reach the partner.
        let internal = ApiError::from(tonic::Status::internal("db password=hunter2 failed"));
        assert_eq!(internal.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!internal.message.contains("hunter2"));
    }
}
