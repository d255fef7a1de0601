//! score-service's tables and queries.

pub mod access_log;
pub mod answers;
pub mod features;
mod migrations;
pub mod models;
pub mod outcomes;
pub mod profiles;
pub mod review_requests;

pub use migrations::Migrator;

use aval_metering::Outbox;

/// Where delivered scores wait to be shipped to billing.
pub const OUTBOX: Outbox = Outbox::new("score_usage_outbox");
