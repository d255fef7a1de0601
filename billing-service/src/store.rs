//! billing-service's tables and queries.

mod migrations;
pub mod plans;
pub mod subscriptions;
pub mod usage_events;

pub use migrations::Migrator;
