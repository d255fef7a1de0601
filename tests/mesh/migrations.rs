//! Every service's migrations, table-driven: each on a fresh database of its own (no service
//! may need another's tables), then all on one database (as a shared PostgreSQL database hosts
//! all four); every run twice, the second finding nothing to do.

use aval_testkit::{Engine, TestDatabase, TestResult, assert_migrations_idempotent, db_test};

async fn every_service_migrates_twice_harmlessly_alone_and_together(
    db: TestDatabase,
) -> TestResult {
    let engine = if db.is_postgres() {
        Engine::Postgres
    } else {
        Engine::Sqlite
    };
    let fresh = || async move {
        TestDatabase::create(engine)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no {engine:?} database"))
    };
    use aval_analysis_service::store::Migrator as Analysis;
    use aval_auth_service::store::Migrator as Auth;
    use aval_billing_service::store::Migrator as Billing;
    use aval_score_service::store::Migrator as Score;

    assert_migrations_idempotent::<Auth>(&fresh().await?.url).await?;
    assert_migrations_idempotent::<Score>(&fresh().await?.url).await?;
    assert_migrations_idempotent::<Analysis>(&fresh().await?.url).await?;
    assert_migrations_idempotent::<Billing>(&fresh().await?.url).await?;

    assert_migrations_idempotent::<Auth>(&db.url).await?;
    assert_migrations_idempotent::<Score>(&db.url).await?;
    assert_migrations_idempotent::<Analysis>(&db.url).await?;
    assert_migrations_idempotent::<Billing>(&db.url).await
}
db_test!(every_service_migrates_twice_harmlessly_alone_and_together);
