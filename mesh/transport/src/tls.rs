//! Mutual TLS between mesh workloads: servers require a client certificate that chains to the
//! mesh CA; clients verify the server's name and present their own certificate.

use std::path::{Path, PathBuf};
use tonic::transport::{Certificate, ClientTlsConfig, Identity, ServerTlsConfig};

#[derive(Debug, thiserror::Error)]
#[error("cannot read TLS file {path}: {source}")]
pub struct TlsError {
    path: PathBuf,
    source: std::io::Error,
}

/// Paths of one workload's certificate files inside a certificate directory.
#[derive(Clone, Debug)]
pub struct CertPaths {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl CertPaths {
    /// `ca.pem`, `<identity>.pem` and `<identity>-key.pem` in `dir`.
    pub fn in_dir(dir: &Path, identity: &str) -> Self {
        Self {
            ca: dir.join("ca.pem"),
            cert: dir.join(format!("{identity}.pem")),
            key: dir.join(format!("{identity}-key.pem")),
        }
    }
}

/// A workload's certificate and key, and the mesh CA it trusts.
#[derive(Clone, Debug)]
pub struct MeshTls {
    ca: Certificate,
    identity: Identity,
}

impl MeshTls {
    pub fn load(paths: &CertPaths) -> Result<Self, TlsError> {
        crate::install_crypto_provider();
        let ca = read(&paths.ca)?;
        let cert = read(&paths.cert)?;
        let key = read(&paths.key)?;
        Ok(Self::from_pem(ca, cert, key))
    }

    pub fn from_pem(ca: impl AsRef<[u8]>, cert: impl AsRef<[u8]>, key: impl AsRef<[u8]>) -> Self {
        crate::install_crypto_provider();
        Self {
            ca: Certificate::from_pem(ca),
            identity: Identity::from_pem(cert, key),
        }
    }

    /// Server side: present our certificate, require a client certificate from the mesh CA.
    pub fn server_config(&self) -> ServerTlsConfig {
        ServerTlsConfig::new()
            .identity(self.identity.clone())
            .client_ca_root(self.ca.clone())
            .client_auth_optional(false)
    }

    /// Client side: trust only the mesh CA, check the server's name, present our certificate.
    pub fn client_config(&self, server_name: &str) -> ClientTlsConfig {
        ClientTlsConfig::new()
            .ca_certificate(self.ca.clone())
            .identity(self.identity.clone())
            .domain_name(server_name)
    }
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError {
        path: path.to_owned(),
        source,
    })
}
