//! Schema migrations, one per file (a migration's name is its file name).

mod m20261124_000001_consumer_profiles;

aval_mesh::migrator!(
    "score_seaql_migrations",
    [m20261124_000001_consumer_profiles::Migration]
);
