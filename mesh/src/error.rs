//! Helpers shared by every service's error-to-`Status` mapping: rich error details.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

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

/// `INVALID_ARGUMENT` with a `google.rpc.BadRequest` listing every violation. The stable code
/// travels as the violation's `reason`.
pub fn invalid_argument(message: &str, violations: &[FieldViolation]) -> Status {
    let violations: Vec<tonic_types::FieldViolation> = violations
        .iter()
        .map(|v| tonic_types::FieldViolation {
            field: v.field.clone(),
            description: v.message.clone(),
            reason: v.code.clone(),
            localized_message: None,
        })
        .collect();
    Status::with_error_details(
        Code::InvalidArgument,
        message,
        ErrorDetails::with_bad_request(violations),
    )
}

/// The field violations carried by a status, if any.
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
