use aval_transport::tls::{CertPaths, MeshTls};
use std::path::Path;

/// A certificate directory made for one test, removed when dropped.
pub struct TestCerts {
    dir: tempfile::TempDir,
}

impl TestCerts {
    /// A fresh mesh CA and a certificate for every mesh identity.
    pub fn generate() -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        aval_certs::generate_mesh_certs(
            dir.path(),
            &dir.path().join("ca"),
            aval_certs::DEFAULT_NAMESPACE,
        )?;
        Ok(Self { dir })
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn paths(&self, identity: &str) -> CertPaths {
        CertPaths::in_dir(self.dir.path(), identity)
    }

    /// The TLS material of the named internal client `name` (`internal-client/<name>`), issued
    /// from this directory's CA as `aval certs --client NAME` does.
    pub fn internal_client(&self, name: &str) -> anyhow::Result<MeshTls> {
        let paths = aval_certs::issue_internal_client(
            &self.dir.path().join("ca"),
            &self.dir.path().join("clients"),
            name,
        )?;
        Ok(MeshTls::load(&paths)?)
    }

    /// Issues `identity` a new certificate and key from the same CA, in place (a renewal).
    pub fn reissue(&self, identity: &str) -> anyhow::Result<()> {
        aval_certs::reissue(
            self.dir.path(),
            &self.dir.path().join("ca"),
            identity,
            aval_certs::DEFAULT_NAMESPACE,
        )?;
        Ok(())
    }

    /// The loaded TLS material of `identity`.
    pub fn tls(&self, identity: &str) -> anyhow::Result<MeshTls> {
        Ok(MeshTls::load(&self.paths(identity))?)
    }
}
