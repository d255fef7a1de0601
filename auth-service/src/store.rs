//! auth-service's tables and queries.

pub mod clients;
mod migrations;
pub mod signing_keys;
pub mod tenants;

pub use migrations::Migrator;

use sea_orm::{DbErr, SqlErr};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("already exists")]
    AlreadyExists,
    #[error("database: {0}")]
    Db(#[from] DbErr),
}

/// A unique-key violation becomes [`StoreError::AlreadyExists`].
fn insert_error(err: DbErr) -> StoreError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::AlreadyExists,
        _ => StoreError::Db(err),
    }
}
