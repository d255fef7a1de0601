//! Schema migrations, one per file (a migration's name is its file name).

mod m20261124_000001_consumer_profiles;
mod m20261124_000002_access_log;
mod m20261125_000003_profile_features;
mod m20261125_000004_models;
mod m20261125_000005_answers;
mod m20261125_000006_review_requests;
mod m20261126_000007_outcomes;

aval_database::migrator!(
    "score_seaql_migrations",
    [
        m20261124_000001_consumer_profiles::Migration,
        m20261124_000002_access_log::Migration,
        super::OUTBOX.migration(),
        m20261125_000003_profile_features::Migration,
        m20261125_000004_models::Migration,
        m20261125_000005_answers::Migration,
        m20261125_000006_review_requests::Migration,
        m20261126_000007_outcomes::Migration,
    ]
);
