//! `spawn_mesh`: the one way these tests start the whole mesh.

use aval::{
    admin::{ALL_SCOPES, ClientCredentials},
    dev::{DevMesh, DevOptions},
};
use aval_testkit::TestDatabase;
use aval_transport::{
    client::{MeshChannel, connect_lazy},
    identity::MeshIdentity,
    tls::MeshTls,
};
use serde_json::Value;

/// A running mesh on free ports, with its own data directory and database, and the demo data
/// `aval dev` loads.
pub struct TestMesh {
    pub mesh: DevMesh,
    pub http: reqwest::Client,
    pub database_url: String,
    _data_dir: tempfile::TempDir,
}

/// Starts the mesh exactly as `aval dev` does, on `db` (SQLite: one file per service under
/// a fresh data directory; PostgreSQL: the fresh database, shared), waits until every
/// service reports SERVING, and loads the demo data.
pub async fn spawn_mesh(db: &TestDatabase) -> anyhow::Result<TestMesh> {
    spawn_mesh_with(db, |_| {}).await
}

/// [`spawn_mesh`] with `configure` applied to the options first (e.g. no quota caching, so a
/// test meets billing's absence on its very next request).
pub async fn spawn_mesh_with(
    db: &TestDatabase,
    configure: impl FnOnce(&mut DevOptions),
) -> anyhow::Result<TestMesh> {
    init_test_log();
    let data_dir = tempfile::tempdir()?;
    let mut options = DevOptions::ephemeral(data_dir.path());
    configure(&mut options);
    let database_url = if db.is_postgres() {
        options.database_url = Some(db.url.clone());
        db.url.clone()
    } else {
        aval_database::sqlite_url(&data_dir.path().join("data").join("auth-service.db"))
    };
    let mut mesh = aval::dev::start(options).await?;
    mesh.wait_ready().await?;
    mesh.seed_demo().await?;
    Ok(TestMesh {
        mesh,
        http: reqwest::Client::new(),
        database_url,
        _data_dir: data_dir,
    })
}

impl TestMesh {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.mesh.gateway_url())
    }

    pub fn demo(&self) -> anyhow::Result<&ClientCredentials> {
        self.mesh
            .demo
            .as_ref()
            .map(|d| &d.credentials)
            .ok_or_else(|| anyhow::anyhow!("no demo data"))
    }

    /// The database URL of auth-service (to reach its signing key in token tests).
    pub fn auth_database_url(&self) -> &str {
        &self.database_url
    }

    /// The data directory `aval dev` runs in (certificates, secrets, SQLite files).
    pub fn data_dir(&self) -> &std::path::Path {
        self._data_dir.path()
    }

    pub async fn restart(&mut self, identity: &str) -> anyhow::Result<()> {
        self.mesh.restart_service(identity).await?;
        self.mesh.wait_ready().await
    }

    /// A new tenant on `plan` (none when `None`) with one client holding `scopes`.
    pub async fn tenant(
        &self,
        tenant_id: &str,
        plan: Option<&str>,
        scopes: &[&str],
    ) -> anyhow::Result<ClientCredentials> {
        let mut admin = self.mesh.admin()?;
        admin.ensure_tenant(tenant_id, tenant_id).await?;
        let client = admin
            .client_with_new_secret(tenant_id, &format!("{tenant_id}-client"), scopes)
            .await?;
        if let Some(plan) = plan {
            admin.subscribe(tenant_id, plan, None).await?;
        }
        Ok(client)
    }

    /// A tenant on the pay-per-use plan with every scope.
    pub async fn full_tenant(&self, tenant_id: &str) -> anyhow::Result<ClientCredentials> {
        self.tenant(tenant_id, Some("pay_per_use"), &ALL_SCOPES)
            .await
    }

    /// An access token for `client`, by HTTP Basic in `Authorization`.
    pub async fn token(&self, client: &ClientCredentials) -> anyhow::Result<String> {
        let response = self
            .http
            .post(self.url("/oauth2/v1/token"))
            .basic_auth(&client.client_id, Some(&client.client_secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await?;
        anyhow::ensure!(response.status() == 200, "token: {}", response.status());
        let body: Value = response.json().await?;
        body["access_token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| anyhow::anyhow!("no access_token in {body}"))
    }

    /// Claro's score call with the bearer in `Authorization`, on the platform's model.
    pub async fn score(&self, token: &str, document: &str) -> anyhow::Result<reqwest::Response> {
        self.score_with(token, document, "aval-default").await
    }

    /// Claro's score call on `model` (`id` or `id@version`).
    pub async fn score_with(
        &self,
        token: &str,
        document: &str,
        model: &str,
    ) -> anyhow::Result<reqwest::Response> {
        Ok(self
            .http
            .post(self.url("/customers/v1/customscores"))
            .bearer_auth(token)
            .header("X-CustomerID", "test-customer")
            .header("document", document)
            .header("score", model)
            .send()
            .await?)
    }

    /// Answers billed to the token's tenant by product: every usage event delivered so far is
    /// shipped and acknowledged by billing first, so the count is final, not a snapshot.
    pub async fn billed(&self, token: &str, product: &str) -> anyhow::Result<i64> {
        self.mesh.flush_usage().await?;
        let report = self.usage_report(token).await?;
        Ok(report["totals"][product].as_i64().unwrap_or(0))
    }

    /// The token's tenant's usage report for this month so far, as JSON.
    pub async fn usage_report(&self, token: &str) -> anyhow::Result<Value> {
        let response = self
            .http
            .get(self.url("/v1/usage"))
            .bearer_auth(token)
            .send()
            .await?;
        anyhow::ensure!(
            response.status() == 200,
            "usage report: {}",
            response.status()
        );
        Ok(response.json().await?)
    }

    pub async fn stop_billing(&mut self) -> anyhow::Result<()> {
        self.mesh.stop_service(MeshIdentity::BILLING).await
    }

    pub async fn restart_billing(&mut self) -> anyhow::Result<()> {
        self.mesh.restart_service(MeshIdentity::BILLING).await?;
        self.mesh.wait_ready().await
    }

    /// A channel to `identity`'s service with the operator's certificate (what `aval admin`
    /// uses).
    pub fn operator_channel(&self, identity: &str) -> anyhow::Result<MeshChannel> {
        let tls = MeshTls::load(&self.mesh.operator_cert())?;
        Ok(connect_lazy(&self.mesh.peer(identity)?, &tls)?)
    }

    pub async fn stop(self) -> anyhow::Result<()> {
        self.mesh.shutdown().await
    }
}

/// Logs to stderr when `TEST_LOG` is set (e.g. `TEST_LOG=1 cargo test -p aval-e2e`).
fn init_test_log() {
    if std::env::var_os("TEST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(aval_telemetry::env_filter("info"))
            .with_test_writer()
            .try_init();
    }
}
