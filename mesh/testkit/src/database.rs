/// Which database engine a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Set to a PostgreSQL server URL (e.g. `postgres://aval:aval@127.0.0.1:5432/postgres`) to run
/// the PostgreSQL variants of the database tests.
pub const POSTGRES_URL_VAR: &str = "AVAL_TEST_POSTGRES_URL";
/// Set to `1` to let the PostgreSQL variants pass without a server (they print that they did
/// not run). Without either variable they fail: an unrun test must not look like a pass.
pub const SKIP_POSTGRES_VAR: &str = "AVAL_TEST_SKIP_POSTGRES";

/// A database made for one test: a new SQLite file, or a new PostgreSQL database named by a
/// UUID. `None` only when PostgreSQL was explicitly skipped. Dropping it removes the file or
/// the database: a suite run must not leave gigabytes behind on the shared server (a server
/// holding thousands of stale databases took over a minute to recover after a crash).
pub struct TestDatabase {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    /// The server URL and database name to drop, on PostgreSQL.
    postgres: Option<(String, String)>,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((server, name)) = self.postgres.take() else {
            return;
        };
        // Drop runs inside the test's runtime, which cannot be blocked on: a thread of its own
        // with a runtime of its own does the async work.
        let dropped = std::thread::spawn(move || -> anyhow::Result<()> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(aval_database::drop_database(&server, &name))?;
            Ok(())
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("test database not dropped: {e:#}"),
            Err(_) => eprintln!("test database not dropped: the dropping thread panicked"),
        }
    }
}

impl TestDatabase {
    pub async fn create(engine: Engine) -> anyhow::Result<Option<Self>> {
        match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir()?;
                let url = aval_database::sqlite_url(&dir.path().join("test.db"));
                Ok(Some(Self {
                    url,
                    _dir: Some(dir),
                    postgres: None,
                }))
            }
            Engine::Postgres => Self::create_postgres().await,
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.url.starts_with("postgres")
    }

    async fn create_postgres() -> anyhow::Result<Option<Self>> {
        let Some(server) = std::env::var(POSTGRES_URL_VAR)
            .ok()
            .filter(|v| !v.is_empty())
        else {
            if std::env::var(SKIP_POSTGRES_VAR).is_ok_and(|v| v == "1") {
                eprintln!(
                    "\n!!! PostgreSQL test NOT RUN: {POSTGRES_URL_VAR} is unset and {SKIP_POSTGRES_VAR}=1 !!!\n"
                );
                return Ok(None);
            }
            anyhow::bail!(
                "this test needs PostgreSQL: set {POSTGRES_URL_VAR} (scripts/test does), \
                 or set {SKIP_POSTGRES_VAR}=1 to knowingly skip it"
            );
        };
        Self::postgres_on(&server, "aval_test").await.map(Some)
    }

    /// A new database `<prefix>_<uuid>` on the PostgreSQL server at `server`.
    pub async fn postgres_on(server: &str, prefix: &str) -> anyhow::Result<Self> {
        let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
        let url = aval_database::create_database(server, &name).await?;
        Ok(Self {
            url,
            _dir: None,
            postgres: Some((server.to_owned(), name)),
        })
    }
}

/// Runs `M`'s migrations twice on `url` and checks the second run found nothing to do.
pub async fn assert_migrations_idempotent<M: sea_orm_migration::MigratorTrait>(
    url: &str,
) -> crate::TestResult {
    let first = aval_database::connect_and_migrate::<M>(url).await?;
    let second = aval_database::connect_and_migrate::<M>(url).await?;
    anyhow::ensure!(
        M::get_pending_migrations(&second).await?.is_empty(),
        "migrations still pending after two runs"
    );
    let applied = M::get_applied_migrations(&first).await?.len();
    anyhow::ensure!(
        applied == M::migrations().len(),
        "{applied} of {} migrations applied",
        M::migrations().len()
    );
    Ok(())
}
