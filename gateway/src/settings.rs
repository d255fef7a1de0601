//! The gateway's settings, from `AVAL_*` environment variables.

use aval_telemetry::TelemetrySettings;
use aval_transport::{
    identity::MeshIdentity,
    settings::{
        DEFAULT_DATA_DIR, Env, Peers, SettingsError, cert_reload_from_env, telemetry_from_env,
    },
    tls::CertPaths,
};
use std::{net::SocketAddr, path::PathBuf, time::Duration};

/// Where the gateway listens when `AVAL_GATEWAY_LISTEN` is unset.
pub const DEFAULT_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8080);

#[derive(Clone, Debug)]
pub struct GatewaySettings {
    /// `AVAL_GATEWAY_LISTEN`, default `127.0.0.1:8080`.
    pub listen: SocketAddr,
    /// The gateway's client certificate (`gateway.pem` in `AVAL_CERT_DIR`).
    pub tls: CertPaths,
    pub peers: Peers,
    pub telemetry: TelemetrySettings,
    /// How often the certificate files are checked for renewal (`AVAL_CERT_RELOAD_MS`).
    pub cert_reload: Duration,
    /// Serve HTTPS with this certificate instead of plain HTTP.
    pub https: Option<HttpsFiles>,
}

/// The gateway's public certificate (chain) and key, PEM files (`AVAL_GATEWAY_TLS_CERT`,
/// `AVAL_GATEWAY_TLS_KEY`): for installs where no Ingress ends TLS.
#[derive(Clone, Debug)]
pub struct HttpsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl GatewaySettings {
    pub fn from_env<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Result<Self, SettingsError> {
        let data_dir: PathBuf = env.parse_or("AVAL_DATA_DIR", PathBuf::from(DEFAULT_DATA_DIR))?;
        let cert_dir: PathBuf = env.parse_or("AVAL_CERT_DIR", data_dir.join("certs"))?;
        Ok(Self {
            listen: env.parse_or("AVAL_GATEWAY_LISTEN", DEFAULT_LISTEN)?,
            tls: CertPaths::in_dir(&cert_dir, MeshIdentity::GATEWAY),
            peers: Peers::from_env(env)?,
            telemetry: telemetry_from_env(env)?,
            cert_reload: cert_reload_from_env(env)?,
            https: https_from_env(env)?,
        })
    }
}

/// Both files or neither.
fn https_from_env<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
) -> Result<Option<HttpsFiles>, SettingsError> {
    match (
        env.get("AVAL_GATEWAY_TLS_CERT"),
        env.get("AVAL_GATEWAY_TLS_KEY"),
    ) {
        (Some(cert), Some(key)) => Ok(Some(HttpsFiles {
            cert: cert.into(),
            key: key.into(),
        })),
        (None, None) => Ok(None),
        (cert, _) => Err(SettingsError {
            variable: if cert.is_some() {
                "AVAL_GATEWAY_TLS_KEY".to_owned()
            } else {
                "AVAL_GATEWAY_TLS_CERT".to_owned()
            },
            value: String::new(),
            reason: "HTTPS needs both AVAL_GATEWAY_TLS_CERT and AVAL_GATEWAY_TLS_KEY".to_owned(),
        }),
    }
}
