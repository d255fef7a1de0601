//! analysis-service's tables and queries.

pub mod analyses;
pub mod events;
mod migrations;
pub mod policies;
pub mod revisions;
pub mod waiting;

pub use migrations::Migrator;

use aval_metering::Outbox;

/// Where delivered analyses wait to be shipped to billing.
pub const OUTBOX: Outbox = Outbox::new("analysis_usage_outbox");
