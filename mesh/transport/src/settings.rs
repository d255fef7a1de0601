//! Typed settings from `AVAL_*` environment variables. Every variable has a default that makes a
//! laptop run work with no setup; a malformed value is an error naming the variable.

use crate::{client::PeerAddress, identity::MeshIdentity, server::ServerSettings, tls::CertPaths};
use aval_database::sqlite_url;
use aval_telemetry::{LogFormat, TelemetrySettings};
use std::{fmt, net::SocketAddr, path::PathBuf, str::FromStr, time::Duration};

/// Default directory for certificates and databases (`aval dev` uses the same).
pub const DEFAULT_DATA_DIR: &str = ".aval";

/// gRPC ports the services listen on by default.
pub const DEFAULT_PORTS: [(&str, u16); 4] = [
    (MeshIdentity::AUTH, 50051),
    (MeshIdentity::SCORE, 50052),
    (MeshIdentity::ANALYSIS, 50053),
    (MeshIdentity::BILLING, 50054),
];

#[derive(Debug, thiserror::Error)]
#[error("invalid {variable}={value:?}: {reason}")]
pub struct SettingsError {
    pub variable: String,
    pub value: String,
    pub reason: String,
}

/// A value that must not be printed (a database URL with a password, a key).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Reads variables through `lookup`, so tests need not touch the process environment.
pub struct Env<F: Fn(&str) -> Option<String>> {
    lookup: F,
}

impl Env<fn(&str) -> Option<String>> {
    /// The process environment.
    pub fn process() -> Self {
        Self {
            lookup: |key| std::env::var(key).ok(),
        }
    }
}

impl<F: Fn(&str) -> Option<String>> Env<F> {
    pub fn from_lookup(lookup: F) -> Self {
        Self { lookup }
    }

    pub fn get(&self, name: &str) -> Option<String> {
        (self.lookup)(name).filter(|v| !v.is_empty())
    }

    /// Parses `name`, or returns `default` when it is unset.
    pub fn parse_or<T>(&self, name: &str, default: T) -> Result<T, SettingsError>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        self.parse(name).map(|v| v.unwrap_or(default))
    }

    pub fn parse<T>(&self, name: &str) -> Result<Option<T>, SettingsError>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        self.get(name)
            .map(|value| {
                value.parse().map_err(|e: T::Err| SettingsError {
                    variable: name.to_owned(),
                    value: value.clone(),
                    reason: e.to_string(),
                })
            })
            .transpose()
    }
}

/// Everything a mesh service needs to start.
#[derive(Clone, Debug)]
pub struct ServiceSettings {
    pub server: ServerSettings,
    /// Local files of the service (generated secrets under `secrets/`).
    pub data_dir: PathBuf,
    pub tls: CertPaths,
    /// sea-orm URL: `sqlite://…?mode=rwc` or `postgres://…`.
    pub database_url: Secret,
    pub telemetry: TelemetrySettings,
    pub peers: Peers,
    /// billing-service: how long callers may reuse a quota answer (`AVAL_QUOTA_CACHE_TTL_MS`).
    pub quota_cache_ttl: Duration,
    /// How often the certificate files are checked for a renewed certificate.
    pub cert_reload: Duration,
}

impl ServiceSettings {
    /// Short, so a plan change shows up quickly; long enough that the check costs no network
    /// hop on most requests.
    pub const DEFAULT_QUOTA_CACHE_TTL: Duration = Duration::from_secs(2);

    /// Reads the settings of the service `identity` from:
    ///
    /// | variable | default |
    /// | --- | --- |
    /// | `AVAL_LISTEN` | `127.0.0.1:<the service's port>` |
    /// | `AVAL_PROBE_LISTEN` | unset (no plaintext health port) |
    /// | `AVAL_DRAIN_DELAY_MS` | `0` |
    /// | `AVAL_DATA_DIR` | `.aval` |
    /// | `AVAL_CERT_DIR` | `$AVAL_DATA_DIR/certs` (`ca.pem`, `<identity>.pem`, `<identity>-key.pem`) |
    /// | `DATABASE_URL` | SQLite file `$AVAL_DATA_DIR/data/<identity>.db` |
    /// | `DATABASE_URL_FILE` | unset; else a file holding the URL (a mounted Secret), used when `DATABASE_URL` is unset |
    /// | `AVAL_LOG_FORMAT` | `pretty` (or `json`) |
    /// | `OTEL_EXPORTER_OTLP_ENDPOINT` | unset (no trace export) |
    /// | `AVAL_AUTH_URL`, `AVAL_SCORE_URL`, `AVAL_ANALYSIS_URL`, `AVAL_BILLING_URL` | `https://127.0.0.1:5005x` |
    /// | `AVAL_QUOTA_CACHE_TTL_MS` | `2000` (billing-service: how long a quota answer may be reused) |
    /// | `AVAL_CERT_RELOAD_MS` | `10000` (how often the certificate files are checked; `0`: never) |
    pub fn from_env<F: Fn(&str) -> Option<String>>(
        identity: &str,
        env: &Env<F>,
    ) -> Result<Self, SettingsError> {
        let port = default_port(identity);
        let data_dir: PathBuf = env.parse_or("AVAL_DATA_DIR", PathBuf::from(DEFAULT_DATA_DIR))?;
        let cert_dir: PathBuf = env.parse_or("AVAL_CERT_DIR", data_dir.join("certs"))?;
        let database_url = match (env.get("DATABASE_URL"), env.get("DATABASE_URL_FILE")) {
            (Some(url), _) => url,
            (None, Some(file)) => read_secret_file("DATABASE_URL_FILE", &file)?,
            (None, None) => sqlite_url(&data_dir.join("data").join(format!("{identity}.db"))),
        };
        Ok(Self {
            data_dir: data_dir.clone(),
            server: ServerSettings {
                listen: env.parse_or("AVAL_LISTEN", SocketAddr::from(([127, 0, 0, 1], port)))?,
                probe_listen: env.parse("AVAL_PROBE_LISTEN")?,
                drain_delay: Duration::from_millis(env.parse_or("AVAL_DRAIN_DELAY_MS", 0)?),
            },
            tls: CertPaths::in_dir(&cert_dir, identity),
            database_url: Secret::new(database_url),
            telemetry: telemetry_from_env(env)?,
            peers: Peers::from_env(env)?,
            quota_cache_ttl: env
                .parse::<u64>("AVAL_QUOTA_CACHE_TTL_MS")?
                .map_or(Self::DEFAULT_QUOTA_CACHE_TTL, Duration::from_millis),
            cert_reload: cert_reload_from_env(env)?,
        })
    }
}

/// How often the certificate files are checked for renewal (`AVAL_CERT_RELOAD_MS`, default
/// 10 s): cert-manager rewrites a mounted Secret in place, days before the old one ends.
pub fn cert_reload_from_env<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
) -> Result<Duration, SettingsError> {
    Ok(Duration::from_millis(
        env.parse_or("AVAL_CERT_RELOAD_MS", 10_000)?,
    ))
}

/// A secret kept in a file (a mounted Kubernetes Secret), trimmed of surrounding whitespace;
/// its contents never appear in an error.
fn read_secret_file(variable: &str, path: &str) -> Result<String, SettingsError> {
    let error = |reason: String| SettingsError {
        variable: variable.to_owned(),
        value: path.to_owned(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| error(format!("cannot read it: {e}")))?;
    let text = text.trim();
    if text.is_empty() {
        return Err(error("the file is empty".to_owned()));
    }
    Ok(text.to_owned())
}

/// Log format and trace export, shared by every program.
pub fn telemetry_from_env<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
) -> Result<TelemetrySettings, SettingsError> {
    Ok(TelemetrySettings {
        log_format: env.parse_or("AVAL_LOG_FORMAT", LogFormat::Pretty)?,
        otlp_endpoint: env.get("OTEL_EXPORTER_OTLP_ENDPOINT"),
        ..TelemetrySettings::default()
    })
}

/// The default gRPC port of a service (0 for identities that do not serve).
pub fn default_port(identity: &str) -> u16 {
    DEFAULT_PORTS
        .iter()
        .find(|(name, _)| *name == identity)
        .map_or(0, |(_, port)| *port)
}

/// Where each service of the mesh listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Peers {
    pub auth: PeerAddress,
    pub score: PeerAddress,
    pub analysis: PeerAddress,
    pub billing: PeerAddress,
}

impl Peers {
    pub fn from_env<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Result<Self, SettingsError> {
        let peer = |var: &str, identity: &str| -> Result<PeerAddress, SettingsError> {
            let url = env
                .get(var)
                .unwrap_or_else(|| format!("https://127.0.0.1:{}", default_port(identity)));
            PeerAddress::parse(&url, identity).map_err(|reason| SettingsError {
                variable: var.to_owned(),
                value: url,
                reason,
            })
        };
        Ok(Self {
            auth: peer("AVAL_AUTH_URL", MeshIdentity::AUTH)?,
            score: peer("AVAL_SCORE_URL", MeshIdentity::SCORE)?,
            analysis: peer("AVAL_ANALYSIS_URL", MeshIdentity::ANALYSIS)?,
            billing: peer("AVAL_BILLING_URL", MeshIdentity::BILLING)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> Env<impl Fn(&str) -> Option<String>> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Env::from_lookup(move |k| map.get(k).cloned())
    }

    #[test]
    fn defaults_make_a_laptop_run_work() -> Result<(), SettingsError> {
        let settings = ServiceSettings::from_env("score-service", &env(&[]))?;
        assert_eq!(
            settings.server.listen,
            SocketAddr::from(([127, 0, 0, 1], 50052))
        );
        assert_eq!(
            settings.tls.cert,
            PathBuf::from(".aval/certs/score-service.pem")
        );
        assert_eq!(
            settings.database_url.expose(),
            "sqlite://.aval/data/score-service.db?mode=rwc"
        );
        assert_eq!(settings.peers.billing.url, "https://127.0.0.1:50054");
        assert_eq!(settings.telemetry.log_format, LogFormat::Pretty);
        Ok(())
    }

    #[test]
    fn variables_override_defaults() -> Result<(), SettingsError> {
        let settings = ServiceSettings::from_env(
            "auth-service",
            &env(&[
                ("AVAL_LISTEN", "0.0.0.0:9000"),
                ("AVAL_PROBE_LISTEN", "0.0.0.0:9001"),
                ("DATABASE_URL", "postgres://u:p@db/auth"),
                ("AVAL_LOG_FORMAT", "json"),
                ("AVAL_SCORE_URL", "https://score-service.aval:50052"),
            ]),
        )?;
        assert_eq!(settings.server.listen.port(), 9000);
        assert_eq!(settings.server.probe_listen.map(|a| a.port()), Some(9001));
        assert_eq!(settings.database_url.expose(), "postgres://u:p@db/auth");
        assert_eq!(settings.telemetry.log_format, LogFormat::Json);
        assert_eq!(settings.peers.score.url, "https://score-service.aval:50052");
        Ok(())
    }

    #[test]
    fn a_malformed_value_names_its_variable() {
        let err = ServiceSettings::from_env("auth-service", &env(&[("AVAL_LISTEN", "nope")]));
        assert!(matches!(err, Err(e) if e.variable == "AVAL_LISTEN"));
        let err =
            ServiceSettings::from_env("auth-service", &env(&[("AVAL_SCORE_URL", "http://x")]));
        assert!(matches!(err, Err(e) if e.variable == "AVAL_SCORE_URL"));
        let err = ServiceSettings::from_env(
            "auth-service",
            &env(&[("AVAL_SCORE_URL", "https://a:1,http://b:1")]),
        );
        assert!(matches!(err, Err(e) if e.variable == "AVAL_SCORE_URL"));
    }

    #[test]
    fn the_database_url_can_come_from_a_mounted_secret_file() -> Result<(), SettingsError> {
        let dir = std::env::temp_dir().join(format!("aval-settings-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let file = dir.join("url");
        let _ = std::fs::write(&file, "postgres://score:hunter2@db/score\n");
        let path = file.display().to_string();
        let settings =
            ServiceSettings::from_env("score-service", &env(&[("DATABASE_URL_FILE", &path)]))?;
        assert_eq!(
            settings.database_url.expose(),
            "postgres://score:hunter2@db/score"
        );
        // DATABASE_URL, when set, wins.
        let settings = ServiceSettings::from_env(
            "score-service",
            &env(&[
                ("DATABASE_URL_FILE", &path),
                ("DATABASE_URL", "sqlite::memory:"),
            ]),
        )?;
        assert_eq!(settings.database_url.expose(), "sqlite::memory:");
        // A missing file names the variable, never a secret.
        let missing = dir.join("absent").display().to_string();
        let err =
            ServiceSettings::from_env("score-service", &env(&[("DATABASE_URL_FILE", &missing)]));
        assert!(
            matches!(&err, Err(e) if e.variable == "DATABASE_URL_FILE"),
            "{err:?}"
        );
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    }

    #[test]
    fn secrets_do_not_print() {
        let secret = Secret::new("postgres://u:hunter2@db/x");
        assert!(!format!("{secret:?}").contains("hunter2"));
    }
}
