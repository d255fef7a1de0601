//! `spawn_mesh`: the one way these tests start the whole mesh.

use aval::dev::{DevMesh, DevOptions};
use aval_mesh::testing::TestDatabase;
use std::time::Duration;

/// A running mesh on free ports, with its own data directory and database.
pub struct TestMesh {
    pub mesh: DevMesh,
    pub http: reqwest::Client,
    _data_dir: tempfile::TempDir,
}

/// Starts the mesh exactly as `aval dev` does, on `db` (SQLite: one file per service under
/// a fresh data directory; PostgreSQL: the fresh database, shared), and waits until every
/// service reports SERVING.
pub async fn spawn_mesh(db: &TestDatabase) -> anyhow::Result<TestMesh> {
    let data_dir = tempfile::tempdir()?;
    let mut options = DevOptions::ephemeral(data_dir.path());
    if db.url.starts_with("postgres") {
        options.database_url = Some(db.url.clone());
    }
    let mesh = aval::dev::start(options).await?;
    mesh.wait_ready(Duration::from_secs(30)).await?;
    Ok(TestMesh {
        mesh,
        http: reqwest::Client::new(),
        _data_dir: data_dir,
    })
}

impl TestMesh {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.mesh.gateway_url())
    }

    pub async fn stop(self) -> anyhow::Result<()> {
        self.mesh.shutdown().await
    }
}
