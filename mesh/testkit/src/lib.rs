//! Dev-only helpers for every crate's tests and for the benchmarks. Nothing here ships in a
//! production binary: services and the gateway list this crate under `[dev-dependencies]`.
//!
//! - [`TestCerts`]: a throwaway mesh CA and certificates;
//! - [`TestDatabase`] and [`db_test!`]: each database test on SQLite and on PostgreSQL;
//! - [`TestService`]: one service on a free port, waited for until SERVING;
//! - [`access`]: a service's allow-list checked over the wire, table-driven;
//! - [`echo`]: the bare Echo service (baseline and probe for the transport's own tests);
//! - [`pypmml`]: the reference PMML engine, for scorecard tests.

pub mod access;
mod certs;
mod database;
pub mod echo;
pub mod pypmml;
mod service;

pub use certs::TestCerts;
pub use database::{
    Engine, POSTGRES_URL_VAR, SKIP_POSTGRES_VAR, TestDatabase, assert_migrations_idempotent,
};
pub use service::TestService;

/// The error type of test functions.
pub type TestResult = anyhow::Result<()>;

/// The generated Echo protobuf code.
pub mod pb {
    tonic::include_proto!("aval.testing.v1");
}

/// Declares a module `<name>` with the tests `sqlite` and `postgres`, each calling
/// `<name>(TestDatabase)`: the database-backed suite runs on both engines.
#[macro_export]
macro_rules! db_test {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() -> $crate::TestResult {
                match $crate::TestDatabase::create($crate::Engine::Sqlite).await? {
                    Some(db) => super::$name(db).await,
                    None => Ok(()),
                }
            }

            #[tokio::test]
            async fn postgres() -> $crate::TestResult {
                match $crate::TestDatabase::create($crate::Engine::Postgres).await? {
                    Some(db) => super::$name(db).await,
                    None => Ok(()),
                }
            }
        }
    };
}
