//! Schema migrations, one per file (a migration's name is its file name).

mod m20261124_000001_tenants_and_clients;

aval_mesh::migrator!(
    "auth_seaql_migrations",
    [m20261124_000001_tenants_and_clients::Migration]
);
