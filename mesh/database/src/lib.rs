//! Database connection and migrations: SQLite (one WAL-mode file per service) by default,
//! PostgreSQL when the URL says so; both run the same sea-orm migrations.

use sea_orm::sqlx::sqlite::SqliteJournalMode;
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;

/// Connects to `url`, creating a SQLite file (and its directory) when missing.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    if let Some(dir) = sqlite_path(url).and_then(|p| std::path::Path::new(p).parent())
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", dir.display())))?;
    }
    let mut options = ConnectOptions::new(url.to_owned());
    if url.starts_with("sqlite:") {
        // SQLite allows one writer at a time, and a writer that finds the database locked
        // sleeps in SQLite's busy handler (1, 2, 5, 10 … 100 ms). One pooled connection queues
        // writers in the async pool instead: measured 52 ms → see the README's Performance.
        options.max_connections(1).min_connections(1);
    }
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true)
        });
    Database::connect(options).await
}

/// Connects and brings the schema up to date with `M`'s migrations (a no-op when it is).
pub async fn connect_and_migrate<M: MigratorTrait>(url: &str) -> Result<DatabaseConnection, DbErr> {
    let db = connect(url).await?;
    migrate::<M>(&db).await?;
    Ok(db)
}

/// The PostgreSQL advisory lock every Aval migration run holds ("AVAL" in ASCII).
const MIGRATION_LOCK: i64 = 0x4156_414C;

/// Brings the schema up to date with `M`'s migrations. On PostgreSQL the run holds a
/// transaction-scoped advisory lock, so replicas starting at once (a rollout, two pods of a new
/// Deployment) migrate one after the other: the second finds the work done instead of failing on
/// a table the first just created. PostgreSQL's DDL is transactional, so a failed run leaves
/// nothing half-applied. SQLite has one writer and one replica: no lock is needed.
pub async fn migrate<M: MigratorTrait>(db: &DatabaseConnection) -> Result<(), DbErr> {
    use sea_orm::{ConnectionTrait, DbBackend, TransactionTrait};
    if db.get_database_backend() != DbBackend::Postgres {
        return M::up(db, None).await;
    }
    let txn = db.begin().await?;
    txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
        .await?;
    M::up(&txn, None).await?;
    txn.commit().await
}

/// Creates the database `name` (letters, digits, `_`) on the PostgreSQL server at `server_url`
/// and returns its URL.
pub async fn create_database(server_url: &str, name: &str) -> Result<String, DbErr> {
    use sea_orm::ConnectionTrait;
    check_database_name(name)?;
    let admin = connect(server_url).await?;
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await?;
    admin.close().await?;
    Ok(replace_database(server_url, name))
}

/// Drops the database `name` on the PostgreSQL server at `server_url`, closing whatever is
/// still connected to it (a test's pool, a benchmark's mesh). Missing is not an error.
pub async fn drop_database(server_url: &str, name: &str) -> Result<(), DbErr> {
    use sea_orm::ConnectionTrait;
    check_database_name(name)?;
    let admin = connect(server_url).await?;
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await?;
    admin.close().await
}

/// Database names are spliced into SQL: only letters, digits and `_`.
fn check_database_name(name: &str) -> Result<(), DbErr> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(DbErr::Custom(format!("invalid database name `{name}`")));
    }
    Ok(())
}

/// The same server URL with another database name.
fn replace_database(server_url: &str, database: &str) -> String {
    let (base, query) = match server_url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (server_url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..].find('/').map(|i| scheme_end + i);
    let host_part = path_start.map_or(base, |i| &base[..i]);
    match query {
        Some(q) => format!("{host_part}/{database}?{q}"),
        None => format!("{host_part}/{database}"),
    }
}

/// `query` narrowed to rows whose `column` is in `[from, before)`; an absent bound leaves
/// that side open (report and list periods).
pub fn within<E: sea_orm::EntityTrait>(
    query: sea_orm::Select<E>,
    column: E::Column,
    (from, before): (
        Option<sea_orm::prelude::DateTimeUtc>,
        Option<sea_orm::prelude::DateTimeUtc>,
    ),
) -> sea_orm::Select<E> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let query = match from {
        Some(from) => query.filter(column.gte(from)),
        None => query,
    };
    match before {
        Some(before) => query.filter(column.lt(before)),
        None => query,
    }
}

/// The sea-orm URL of a SQLite file, created if missing.
pub fn sqlite_url(path: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://")?;
    let path = rest.split('?').next()?;
    (path != ":memory:" && !path.is_empty()).then_some(path)
}

/// Re-exported so the [`migrator!`] macro works in every service.
pub use sea_orm_migration;

/// Declares `pub struct Migrator` running the given migrations, recorded in a migration table
/// of the service's own (so services may share one PostgreSQL database without clashing).
#[macro_export]
macro_rules! migrator {
    ($table:literal, [$($migration:expr),* $(,)?]) => {
        pub struct Migrator;

        #[$crate::sea_orm_migration::async_trait::async_trait]
        impl $crate::sea_orm_migration::MigratorTrait for Migrator {
            fn migration_table_name() -> $crate::sea_orm_migration::sea_orm::sea_query::DynIden {
                use $crate::sea_orm_migration::sea_orm::sea_query::IntoIden;
                $crate::sea_orm_migration::sea_orm::sea_query::Alias::new($table).into_iden()
            }

            fn migrations() -> Vec<Box<dyn $crate::sea_orm_migration::MigrationTrait>> {
                vec![$(Box::new($migration)),*]
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            replace_database("postgres://u:p@h:5432/postgres", "x"),
            "postgres://u:p@h:5432/x"
        );
        assert_eq!(replace_database("postgres://u@h", "x"), "postgres://u@h/x");
        assert_eq!(
            replace_database("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
    }
}
