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

/// Replicas of every service starting at once on one fresh PostgreSQL database (a rollout, the
/// first install of a Deployment with two pods): all of them come up, none fails on a table
/// another just created, and the schema is complete.
#[tokio::test]
async fn replicas_starting_at_once_on_postgres_all_migrate() -> TestResult {
    use aval_analysis_service::store::Migrator as Analysis;
    use aval_auth_service::store::Migrator as Auth;
    use aval_billing_service::store::Migrator as Billing;
    use aval_database::connect_and_migrate as start;
    use aval_score_service::store::Migrator as Score;

    let db = TestDatabase::create(Engine::Postgres)
        .await?
        .ok_or_else(|| anyhow::anyhow!("PostgreSQL skipped knowingly (AVAL_TEST_SKIP_POSTGRES)"))?;
    let url = db.url.as_str();
    let (a1, a2, s1, s2, n1, n2, b1, b2) = tokio::join!(
        start::<Auth>(url),
        start::<Auth>(url),
        start::<Score>(url),
        start::<Score>(url),
        start::<Analysis>(url),
        start::<Analysis>(url),
        start::<Billing>(url),
        start::<Billing>(url),
    );
    for (name, started) in [
        ("auth", a1.map(drop)),
        ("auth", a2.map(drop)),
        ("score", s1.map(drop)),
        ("score", s2.map(drop)),
        ("analysis", n1.map(drop)),
        ("analysis", n2.map(drop)),
        ("billing", b1.map(drop)),
        ("billing", b2.map(drop)),
    ] {
        started.map_err(|e| anyhow::anyhow!("a {name} replica failed to start: {e}"))?;
    }
    assert_migrations_idempotent::<Score>(url).await
}
