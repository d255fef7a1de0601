//! Schema migrations, one per file (a migration's name is its file name).

mod m20261124_000001_tenants_and_clients;
mod m20261124_000002_signing_keys;

aval_database::migrator!(
    "auth_seaql_migrations",
    [
        m20261124_000001_tenants_and_clients::Migration,
        m20261124_000002_signing_keys::Migration,
    ]
);
