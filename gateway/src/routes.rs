//! The REST routes partners call.

pub mod analysis;
pub mod score;
pub mod token;
pub mod usage;

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
