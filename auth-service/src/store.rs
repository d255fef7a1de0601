//! auth-service's tables and queries.

mod migrations;

pub use migrations::Migrator;
