//! Mutual TLS between mesh workloads: servers require a client certificate that chains to the
//! mesh CA; clients verify the server's name and present their own certificate.
//!
//! The material is re-read while the process runs ([`MeshTls::spawn_reloader`]): cert-manager
//! renews certificates by rewriting the mounted Secret in place, and new connections (accepted
//! or dialled) take the new certificate without a restart. Established connections keep the
//! one they were made with.

mod acceptor;
mod connector;
mod material;

pub use acceptor::{MeshTlsStream, accept};
pub(crate) use connector::TlsConnector;

use material::Material;
use std::{
    path::{Path, PathBuf},
    sync::{Arc, RwLock, Weak},
    time::Duration,
};

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read TLS file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid TLS material: {0}")]
    Invalid(String),
}

/// Paths of one workload's certificate files inside a certificate directory.
#[derive(Clone, Debug, PartialEq, Eq)]
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

/// Where reloadable material lives.
#[derive(Clone, Debug)]
enum Source {
    /// A mesh workload's CA, certificate and key: mutual TLS.
    Mesh(CertPaths),
    /// A public certificate and key: server side only, no client certificate.
    Public {
        cert: PathBuf,
        key: PathBuf,
        alpn: Vec<Vec<u8>>,
    },
}

impl Source {
    /// The ALPN protocols of public material; `None` for mesh material.
    fn public_alpn(&self) -> Option<&[Vec<u8>]> {
        match self {
            Self::Mesh(_) => None,
            Self::Public { alpn, .. } => Some(alpn),
        }
    }
}

/// A workload's certificate and key, and the mesh CA it trusts: a cheap handle that every
/// server and channel of the process shares, so one reload serves them all.
#[derive(Clone, Debug)]
pub struct MeshTls {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// Where the material came from; `None` for material given as bytes (never reloaded).
    source: Option<Source>,
    current: RwLock<Arc<Material>>,
}

impl MeshTls {
    /// Reads and checks the three files (the key must match the certificate).
    pub fn load(paths: &CertPaths) -> Result<Self, TlsError> {
        let source = Source::Mesh(paths.clone());
        let material = Material::read(&source)?;
        Ok(Self::new(Some(source), material))
    }

    /// A public server certificate and key (the gateway's own HTTPS, for partners): no client
    /// certificate asked for, any ALPN the caller sets; reloads like mesh material.
    pub fn load_public(cert: &Path, key: &Path, alpn: &[&[u8]]) -> Result<Self, TlsError> {
        let source = Source::Public {
            cert: cert.to_owned(),
            key: key.to_owned(),
            alpn: alpn.iter().map(|p| p.to_vec()).collect(),
        };
        let material = Material::read(&source)?;
        Ok(Self::new(Some(source), material))
    }

    /// Material given as PEM bytes; it never changes.
    pub fn from_pem(
        ca: impl AsRef<[u8]>,
        cert: impl AsRef<[u8]>,
        key: impl AsRef<[u8]>,
    ) -> Result<Self, TlsError> {
        let material = Material::from_pem(ca.as_ref(), cert.as_ref(), key.as_ref())?;
        Ok(Self::new(None, material))
    }

    fn new(source: Option<Source>, material: Material) -> Self {
        crate::install_crypto_provider();
        Self {
            inner: Arc::new(Inner {
                source,
                current: RwLock::new(Arc::new(material)),
            }),
        }
    }

    fn current(&self) -> Arc<Material> {
        // A poisoned lock still holds a complete value: replacing an Arc cannot tear.
        match self.inner.current.read() {
            Ok(current) => Arc::clone(&current),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// The server side as rustls takes it: our certificate, a client certificate from the
    /// mesh CA required, HTTP/2.
    pub fn server_config(&self) -> Arc<rustls::ServerConfig> {
        self.current().server.clone()
    }

    /// The client side: trust only the mesh CA, present our certificate, HTTP/2.
    pub fn client_config(&self) -> Arc<rustls::ClientConfig> {
        self.current().client.clone()
    }

    /// Re-reads the files and swaps the material in when it changed. A half-written or
    /// mismatched set is refused and the current material kept, so a reload can never leave
    /// the workload without a usable certificate. `Ok(true)` when new material took effect.
    pub fn reload(&self) -> Result<bool, TlsError> {
        let Some(source) = &self.inner.source else {
            return Ok(false);
        };
        let Some(fresh) = Material::read_if_changed(source, &self.current())? else {
            return Ok(false);
        };
        let mut current = match self.inner.current.write() {
            Ok(current) => current,
            Err(poisoned) => poisoned.into_inner(),
        };
        *current = Arc::new(fresh);
        Ok(true)
    }

    /// Checks the files every `every` for as long as any handle to this material lives.
    pub fn spawn_reloader(&self, every: Duration) {
        if self.inner.source.is_none() || every.is_zero() {
            return;
        }
        let weak: Weak<Inner> = Arc::downgrade(&self.inner);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(inner) = weak.upgrade() else { return };
                let tls = MeshTls { inner };
                match tls.reload() {
                    Ok(true) => tracing::info!(
                        certificate = %tls.current().summary,
                        "mesh certificate reloaded"
                    ),
                    Ok(false) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "mesh certificate not reloaded; keeping the current one")
                    }
                }
            }
        });
    }
}
