//! The REST routes partners call.

pub mod analysis;
pub mod lifecycle;
pub mod reports;
pub mod rights;
pub mod score;
pub mod token;
pub mod usage;

use crate::{dto::days::parse_day, error::ApiError};
use aval_errors::{ErrorCode, FieldCode, FieldViolation};
use aval_proto::common::v1::Date;
use axum::{
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Response},
};
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

/// A day of the query string, when given (blank is absent); a day not written strictly as
/// `YYYY-MM-DD` is a violation of `field`.
pub(crate) fn query_day(
    field: &str,
    text: Option<&str>,
    violations: &mut Vec<FieldViolation>,
) -> Option<Date> {
    let text = text.map(str::trim).filter(|t| !t.is_empty())?;
    let day = parse_day(text);
    if day.is_none() {
        violations.push(FieldViolation::new(
            field,
            FieldCode::InvalidDate,
            "must be a date as YYYY-MM-DD",
        ));
    }
    day
}

/// Whether the caller asked for CSV (`Accept: text/csv`).
pub(crate) fn wants_csv(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/csv"))
}

/// A CSV answer.
pub(crate) fn csv_response(csv: String) -> Response {
    let mut response = csv.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    response
}
