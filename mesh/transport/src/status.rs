//! Errors on the wire: a gRPC status carries its stable [`ErrorCode`] as
//! `google.rpc.ErrorInfo.reason` and invalid fields as `google.rpc.BadRequest` violations; the
//! gateway reads both back into its JSON envelope. Each service maps its own error enum to a
//! status through these functions, in one place.

use aval_errors::{ErrorCode, FieldCode, FieldViolation};
use std::collections::HashMap;
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

/// The `ErrorInfo.domain` of Aval's errors.
pub const DOMAIN: &str = "aval";

/// The gRPC code each of our codes travels with.
pub fn grpc_code(code: ErrorCode) -> Code {
    use ErrorCode as E;
    match code {
        E::InvalidDocument | E::InvalidArgument | E::InvalidBody | E::InvalidProposal => {
            Code::InvalidArgument
        }
        E::Unauthenticated => Code::Unauthenticated,
        E::PermissionDenied | E::MeshAccessDenied => Code::PermissionDenied,
        E::CpfNotFound | E::ModelNotFound | E::NotFound => Code::NotFound,
        // Only the REST edge answers it; on gRPC a wrong method is an unknown RPC.
        E::MethodNotAllowed => Code::Unimplemented,
        E::ProposalConflict | E::AlreadyExists => Code::AlreadyExists,
        E::FailedPrecondition | E::InsufficientData | E::InvalidTransition => {
            Code::FailedPrecondition
        }
        E::QuotaExceeded | E::ResourceExhausted => Code::ResourceExhausted,
        E::Cancelled => Code::Cancelled,
        E::NotImplemented => Code::Unimplemented,
        E::Unavailable | E::ScoresUnavailable => Code::Unavailable,
        E::DeadlineExceeded => Code::DeadlineExceeded,
        E::Internal => Code::Internal,
    }
}

/// Our code for a status that carries none (tonic's own errors, a peer that is down).
pub fn code_of_grpc(code: Code) -> ErrorCode {
    use ErrorCode as E;
    match code {
        Code::InvalidArgument | Code::OutOfRange => E::InvalidArgument,
        Code::Unauthenticated => E::Unauthenticated,
        Code::PermissionDenied => E::PermissionDenied,
        Code::NotFound => E::NotFound,
        Code::AlreadyExists | Code::Aborted => E::AlreadyExists,
        Code::FailedPrecondition => E::FailedPrecondition,
        Code::ResourceExhausted => E::ResourceExhausted,
        Code::Cancelled => E::Cancelled,
        Code::Unimplemented => E::NotImplemented,
        Code::Unavailable => E::Unavailable,
        Code::DeadlineExceeded => E::DeadlineExceeded,
        Code::Ok | Code::Unknown | Code::Internal | Code::DataLoss => E::Internal,
    }
}

/// A status with a stable code (`QUOTA_EXCEEDED`, `CPF_NOT_FOUND`, …).
pub fn status(code: ErrorCode, message: impl Into<String>) -> Status {
    Status::with_error_details(
        grpc_code(code),
        message,
        ErrorDetails::with_error_info(code.as_str(), DOMAIN, HashMap::new()),
    )
}

/// A status with one of the token endpoint's RFC 6749 codes as its reason.
pub fn oauth_status(
    grpc: Code,
    error: aval_errors::OAuthError,
    message: impl Into<String>,
) -> Status {
    Status::with_error_details(
        grpc,
        message,
        ErrorDetails::with_error_info(error.as_str(), DOMAIN, HashMap::new()),
    )
}

/// `code` with a `google.rpc.BadRequest` listing every violation (the violation's code travels
/// as its `reason`).
pub fn invalid_argument(code: ErrorCode, message: &str, violations: &[FieldViolation]) -> Status {
    let violations: Vec<tonic_types::FieldViolation> = violations
        .iter()
        .map(|v| tonic_types::FieldViolation {
            field: v.field.clone(),
            description: v.message.clone(),
            reason: v.code.as_str().to_owned(),
            localized_message: None,
        })
        .collect();
    let mut details = ErrorDetails::with_bad_request(violations);
    details.set_error_info(code.as_str(), DOMAIN, HashMap::new());
    Status::with_error_details(grpc_code(code), message, details)
}

/// The reason a status carries, as sent (one of our codes, or an RFC 6749 one).
pub fn reason(status: &Status) -> Option<String> {
    status.get_details_error_info().map(|info| info.reason)
}

/// Our code for `status`: its reason when it is one of ours, else derived from the gRPC code.
pub fn error_code(status: &Status) -> ErrorCode {
    reason(status)
        .as_deref()
        .and_then(ErrorCode::parse)
        .unwrap_or_else(|| code_of_grpc(status.code()))
}

/// The field violations a status carries, if any.
pub fn field_violations(status: &Status) -> Vec<FieldViolation> {
    status
        .get_details_bad_request()
        .map(|bad| {
            bad.field_violations
                .into_iter()
                .map(|v| {
                    let code = FieldCode::parse(&v.reason).unwrap_or(FieldCode::Invalid);
                    FieldViolation::new(v.field, code, v.description)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// An internal failure: the caller gets a plain message, the log gets the whole chain.
pub fn internal(context: &str, error: &dyn std::error::Error) -> Status {
    tracing::error!(error = %error, "{context}");
    status(ErrorCode::Internal, "internal error")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_violations_survive_the_round_trip() {
        let violation =
            FieldViolation::new("document", FieldCode::InvalidCheckDigits, "check digits");
        let status = invalid_argument(
            ErrorCode::InvalidDocument,
            "bad document",
            std::slice::from_ref(&violation),
        );
        let http = status.into_http::<tonic::body::Body>();
        let status =
            Status::from_header_map(http.headers()).unwrap_or_else(|| Status::unknown("lost"));
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_eq!(error_code(&status), ErrorCode::InvalidDocument);
        assert_eq!(field_violations(&status), vec![violation]);
    }

    #[test]
    fn every_code_maps_to_a_grpc_code_that_maps_back_to_its_http_family() {
        // The exceptions: MESH_ACCESS_DENIED is a refusal on the wire but a 500 to partners
        // (the mesh refusing the gateway is Aval's mistake, not theirs); METHOD_NOT_ALLOWED
        // exists only at the REST edge.
        let exceptions = [ErrorCode::MeshAccessDenied, ErrorCode::MethodNotAllowed];
        for code in ErrorCode::ALL.iter().filter(|c| !exceptions.contains(c)) {
            let grpc = grpc_code(*code);
            let back = code_of_grpc(grpc);
            assert_eq!(
                back.http_status() / 100,
                code.http_status() / 100,
                "{code} travels as {grpc:?}"
            );
        }
        assert_eq!(
            error_code(&Status::unavailable("down")),
            ErrorCode::Unavailable
        );
    }
}
