//! Every service's migrations, table-driven: on one fresh database (as a shared PostgreSQL
//! database hosts all four), each runs twice and the second run finds nothing to do.

use aval_testkit::{TestDatabase, TestResult, assert_migrations_idempotent, db_test};

async fn every_service_migrates_twice_harmlessly_on_one_database(db: TestDatabase) -> TestResult {
    assert_migrations_idempotent::<aval_auth_service::store::Migrator>(&db.url).await?;
    assert_migrations_idempotent::<aval_score_service::store::Migrator>(&db.url).await?;
    assert_migrations_idempotent::<aval_analysis_service::store::Migrator>(&db.url).await?;
    assert_migrations_idempotent::<aval_billing_service::store::Migrator>(&db.url).await
}
db_test!(every_service_migrates_twice_harmlessly_on_one_database);
