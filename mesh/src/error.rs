//! Helpers shared by every service's error-to-`Status` mapping: rich error details
//! (`google.rpc.ErrorInfo` with a stable reason code, `google.rpc.BadRequest` field violations)
//! that the gateway turns into its JSON envelope.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

/// The `ErrorInfo.domain` of Aval's errors.
pub const DOMAIN: &str = "aval";

/// One invalid field: its JSON/proto path, a stable code and a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldViolation {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl FieldViolation {
    pub fn new(
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// A status with a stable reason code (`QUOTA_EXCEEDED`, `CPF_NOT_FOUND`, …).
pub fn status(code: Code, reason: &str, message: impl Into<String>) -> Status {
    Status::with_error_details(
        code,
        message,
        ErrorDetails::with_error_info(reason, DOMAIN, std::collections::HashMap::new()),
    )
}

/// `INVALID_ARGUMENT` with reason `reason` and a `google.rpc.BadRequest` listing every
/// violation (the violation's code travels as its `reason`).
pub fn invalid_argument(reason: &str, message: &str, violations: &[FieldViolation]) -> Status {
    let violations: Vec<tonic_types::FieldViolation> = violations
        .iter()
        .map(|v| tonic_types::FieldViolation {
            field: v.field.clone(),
            description: v.message.clone(),
            reason: v.code.clone(),
            localized_message: None,
        })
        .collect();
    let mut details = ErrorDetails::with_bad_request(violations);
    details.set_error_info(reason, DOMAIN, std::collections::HashMap::new());
    Status::with_error_details(Code::InvalidArgument, message, details)
}

/// The stable reason code a status carries, if any.
pub fn reason(status: &Status) -> Option<String> {
    status.get_details_error_info().map(|info| info.reason)
}

/// The field violations a status carries, if any.
pub fn field_violations(status: &Status) -> Vec<FieldViolation> {
    status
        .get_details_bad_request()
        .map(|bad| {
            bad.field_violations
                .into_iter()
                .map(|v| FieldViolation::new(v.field, v.reason, v.description))
                .collect()
        })
        .unwrap_or_default()
}

/// An internal failure: the caller gets a plain message, the log gets the whole chain.
pub fn internal(context: &str, error: &dyn std::error::Error) -> Status {
    tracing::error!(error = %error, "{context}");
    status(Code::Internal, "INTERNAL", "internal error")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_and_violations_survive_the_round_trip() {
        let status = invalid_argument(
            "INVALID_DOCUMENT",
            "bad document",
            &[FieldViolation::new(
                "document",
                "INVALID_CHECK_DIGITS",
                "check digits",
            )],
        );
        assert_eq!(reason(&status).as_deref(), Some("INVALID_DOCUMENT"));
        assert_eq!(
            field_violations(&status),
            vec![FieldViolation::new(
                "document",
                "INVALID_CHECK_DIGITS",
                "check digits"
            )]
        );
        let status = status_roundtrip(status);
        assert_eq!(reason(&status).as_deref(), Some("INVALID_DOCUMENT"));
    }

    fn status_roundtrip(status: Status) -> Status {
        let http = status.into_http::<tonic::body::Body>();
        Status::from_header_map(http.headers()).unwrap_or_else(|| Status::unknown("lost"))
    }
}
