//! Test helpers for every crate (feature `testing`): throwaway mesh certificates and databases.

use crate::{certs, tls::MeshTls};
use std::path::Path;

/// A certificate directory made for one test, removed when dropped.
pub struct TestCerts {
    dir: tempfile::TempDir,
}

impl TestCerts {
    /// A fresh mesh CA and a certificate for every mesh identity.
    pub fn generate() -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        certs::generate_mesh_certs(dir.path(), certs::DEFAULT_NAMESPACE)?;
        Ok(Self { dir })
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn paths(&self, identity: &str) -> certs::CertPaths {
        certs::CertPaths::in_dir(self.dir.path(), identity)
    }

    /// The loaded TLS material of `identity`.
    pub fn tls(&self, identity: &str) -> anyhow::Result<MeshTls> {
        Ok(MeshTls::load(&self.paths(identity))?)
    }
}

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
/// UUID. `None` only when PostgreSQL was explicitly skipped.
pub struct TestDatabase {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    pub async fn create(engine: Engine) -> anyhow::Result<Option<Self>> {
        match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir()?;
                let url = crate::settings::sqlite_url(&dir.path().join("test.db"));
                Ok(Some(Self {
                    url,
                    _dir: Some(dir),
                }))
            }
            Engine::Postgres => Self::create_postgres().await,
        }
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
        let name = format!("aval_test_{}", uuid::Uuid::new_v4().simple());
        let url = crate::db::create_database(&server, &name).await?;
        Ok(Some(Self { url, _dir: None }))
    }
}

/// The error type of test functions.
pub type TestResult = anyhow::Result<()>;

/// Declares a module `<name>` with the tests `sqlite` and `postgres`, each calling
/// `<name>(TestDatabase)`: the database-backed suite runs on both engines.
#[macro_export]
macro_rules! db_test {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() -> $crate::testing::TestResult {
                match $crate::testing::TestDatabase::create($crate::testing::Engine::Sqlite).await?
                {
                    Some(db) => super::$name(db).await,
                    None => Ok(()),
                }
            }

            #[tokio::test]
            async fn postgres() -> $crate::testing::TestResult {
                match $crate::testing::TestDatabase::create($crate::testing::Engine::Postgres)
                    .await?
                {
                    Some(db) => super::$name(db).await,
                    None => Ok(()),
                }
            }
        }
    };
}

/// A service started for one test on a free loopback port, with its own certificates.
pub struct TestService {
    pub addr: std::net::SocketAddr,
    pub certs: TestCerts,
    pub shutdown: crate::shutdown::CancellationToken,
    task: tokio::task::JoinHandle<Result<(), crate::server::ServerError>>,
}

impl TestService {
    /// Builds `S` on `database_url` and serves it until [`TestService::stop`].
    pub async fn spawn<S: crate::app::MeshService>(database_url: &str) -> anyhow::Result<Self> {
        let certs = TestCerts::generate()?;
        let settings = crate::settings::ServiceSettings {
            data_dir: certs.dir().join("data"),
            server: crate::server::ServerSettings::ephemeral(),
            tls: certs.paths(S::IDENTITY),
            database_url: crate::settings::Secret::new(database_url),
            telemetry: crate::telemetry::TelemetrySettings::default(),
            peers: crate::settings::Peers::from_env(&crate::settings::Env::from_lookup(|_| None))?,
        };
        let service = S::build(settings).await?;
        let addr = service.local_addr();
        let shutdown = crate::shutdown::CancellationToken::new();
        let task = tokio::spawn(service.run_until_stopped(shutdown.clone()));
        Ok(Self {
            addr,
            certs,
            shutdown,
            task,
        })
    }

    /// The service's data directory (its `secrets/`).
    pub fn data_dir(&self) -> std::path::PathBuf {
        self.certs.dir().join("data")
    }

    /// A channel to the service presenting `identity`'s mesh certificate.
    pub fn channel_as(
        &self,
        identity: &str,
        server_name: &str,
    ) -> anyhow::Result<crate::client::MeshChannel> {
        let peer = crate::client::PeerAddress::new(format!("https://{}", self.addr), server_name);
        Ok(crate::client::connect_lazy(
            &peer,
            &self.certs.tls(identity)?,
        )?)
    }

    /// Waits until the overall health status is SERVING.
    pub async fn wait_serving(&self, channel: crate::client::MeshChannel) -> anyhow::Result<()> {
        use tonic_health::pb::{
            HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
        };
        let mut client = HealthClient::new(channel);
        for _ in 0..200 {
            if let Ok(r) = client.check(HealthCheckRequest::default()).await
                && r.get_ref().status() == ServingStatus::Serving
            {
                return Ok(());
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        anyhow::bail!("service never reported SERVING")
    }

    /// Shuts the service down and waits for it to finish.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.shutdown.cancel();
        self.task.await??;
        Ok(())
    }
}

/// Runs `M`'s migrations twice on `url` and checks the second run found nothing to do.
pub async fn assert_migrations_idempotent<M: sea_orm_migration::MigratorTrait>(
    url: &str,
) -> TestResult {
    let first = crate::db::connect_and_migrate::<M>(url).await?;
    let second = crate::db::connect_and_migrate::<M>(url).await?;
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
