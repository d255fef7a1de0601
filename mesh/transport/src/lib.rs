//! How Aval workloads talk to each other, written once: mutual TLS with mesh certificates, the
//! caller's identity checked against per-RPC allow-lists, bearer tokens verified locally, the
//! gRPC server bootstrap (health, reflection, graceful drain) and peer channels, W3C trace
//! propagation, rich error statuses, and typed settings.

pub mod authz;
pub mod bearer;
pub mod behalf;
pub mod client;
pub mod health;
pub mod host;
pub mod identity;
pub mod jwks;
pub mod jwt;
pub mod propagation;
pub mod secret_file;
pub mod server;
pub mod settings;
pub mod shutdown;
pub mod status;
pub mod time;
pub mod tls;

/// Installs ring as the process's one rustls crypto provider. Idempotent; call it before any
/// TLS configuration is built (two providers in one process make rustls refuse to choose).
pub fn install_crypto_provider() {
    // Err means a provider is already installed, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
}
