//! The REST routes partners call.

pub mod analysis;
pub mod lifecycle;
pub mod rights;
pub mod score;
pub mod token;
pub mod usage;

use crate::error::ApiError;
use aval_errors::{ErrorCode, FieldCode};
use serde::Serialize;
use std::time::Instant;

/// `meta` of score and analysis answers.
#[derive(Clone, Debug, Serialize)]
pub struct Meta {
    pub request_id: String,
    pub latency_ms: u64,
}

impl Meta {
    pub fn new(request_id: String, started: Instant) -> Self {
        Self {
            request_id,
            latency_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        }
    }
}

/// The CPF of a JSON body's `document`; absent or blank is `INVALID_DOCUMENT` (the service
/// checks the digits).
pub(crate) fn body_cpf(document: Option<String>) -> Result<String, ApiError> {
    match document {
        Some(d) if !d.trim().is_empty() => Ok(d),
        _ => Err(ApiError::invalid_field(
            ErrorCode::InvalidDocument,
            "document",
            FieldCode::Required,
            "the CPF is required",
        )),
    }
}
