//! Schema migrations, one per file (a migration's name is its file name).

mod m20261124_000001_plans_and_usage;

aval_mesh::migrator!(
    "billing_seaql_migrations",
    [m20261124_000001_plans_and_usage::Migration]
);
