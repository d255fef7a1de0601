//! Schema migrations, one per file (a migration's name is its file name).

mod m20261124_000001_consumer_profiles;
mod m20261124_000002_access_log;

aval_database::migrator!(
    "score_seaql_migrations",
    [
        m20261124_000001_consumer_profiles::Migration,
        m20261124_000002_access_log::Migration,
        super::OUTBOX.migration(),
    ]
);
