//! What every Aval service shares, written once: typed settings, mesh certificates and mTLS,
//! caller identity and per-RPC allow-lists, the gRPC server bootstrap (health, reflection,
//! graceful shutdown), telemetry with W3C trace propagation, and the database.

pub mod app;
pub mod authz;
pub mod bearer;
pub mod certs;
pub mod client;
pub mod credit;
pub mod db;
pub mod echo;
pub mod error;
pub mod identity;
pub mod jwt;
pub mod propagation;
pub mod quota;
pub mod secret_file;
pub mod server;
pub mod settings;
pub mod shutdown;
pub mod telemetry;
pub mod time;
pub mod tls;
pub mod usage;

#[cfg(feature = "testing")]
pub mod testing;

/// Installs ring as the process's one rustls crypto provider. Idempotent; call it before any
/// TLS configuration is built (two providers in one process make rustls refuse to choose).
pub fn install_crypto_provider() {
    // Err means a provider is already installed, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
}
