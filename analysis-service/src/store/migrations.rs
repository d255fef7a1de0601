//! Schema migrations, one per file (a migration's name is its file name).

mod m20261124_000001_analyses;
mod m20261125_000002_lifecycle;
mod m20261125_000003_event_via;
mod m20261125_000004_policies;
mod m20261125_000005_received_at;
mod m20261125_000006_proposal_kinds;
mod m20261126_000007_waiting;

aval_database::migrator!(
    "analysis_seaql_migrations",
    [
        m20261124_000001_analyses::Migration,
        super::OUTBOX.migration(),
        m20261125_000002_lifecycle::Migration,
        m20261125_000003_event_via::Migration,
        m20261125_000004_policies::Migration,
        m20261125_000005_received_at::Migration,
        m20261125_000006_proposal_kinds::Migration,
        m20261126_000007_waiting::Migration,
    ]
);
