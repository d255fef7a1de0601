//! Schema migrations, one per file (a migration's name is its file name).

mod m20261124_000001_plans_and_usage;
mod m20261124_000002_default_plans;
mod m20261124_000003_enterprise_plan;

aval_database::migrator!(
    "billing_seaql_migrations",
    [
        m20261124_000001_plans_and_usage::Migration,
        m20261124_000002_default_plans::Migration,
        m20261124_000003_enterprise_plan::Migration,
    ]
);
