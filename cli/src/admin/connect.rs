//! Where `aval admin` connects and as whom: the address of the service a command calls (auth,
//! billing, score or analysis) and the operator's certificate, from flags, the process environment, or the
//! `dev.env` that `aval dev` writes (in that order of precedence).

use anyhow::Context;
use aval_transport::{
    client::{MeshChannel, PeerAddress, connect_for_streams, connect_lazy},
    identity::MeshIdentity,
    tls::MeshTls,
};
use clap::Args;
use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

/// How to reach the mesh's services as the operator. Each option may also come from the
/// environment variable of the same name as in `dev.env`; both override the file. A command
/// needs only the address of the service it calls.
#[derive(Args, Debug, Clone, Default)]
#[command(next_help_heading = "Connection")]
pub struct ConnectionArgs {
    /// Where `aval dev` keeps its data and writes dev.env.
    #[arg(long, env = "AVAL_DATA_DIR", default_value = ".aval", global = true)]
    pub data_dir: PathBuf,
    /// KEY=value settings as `aval dev` writes them [default: <DATA_DIR>/dev.env].
    #[arg(long, value_name = "FILE", global = true)]
    pub env_file: Option<PathBuf>,
    /// auth-service's gRPC address (`https://host:port`): tenants and clients.
    #[arg(long, env = "AVAL_AUTH_URL", value_name = "URL", global = true)]
    pub auth_url: Option<String>,
    /// billing-service's gRPC address (`https://host:port`): plans.
    #[arg(long, env = "AVAL_BILLING_URL", value_name = "URL", global = true)]
    pub billing_url: Option<String>,
    /// score-service's gRPC address (`https://host:port`): models, features, profiles, replays.
    #[arg(long, env = "AVAL_SCORE_URL", value_name = "URL", global = true)]
    pub score_url: Option<String>,
    /// analysis-service's gRPC address (`https://host:port`): the analysts' queue.
    #[arg(long, env = "AVAL_ANALYSIS_URL", value_name = "URL", global = true)]
    pub analysis_url: Option<String>,
    /// The mesh CA certificate (PEM).
    #[arg(long, env = "AVAL_CA_CERT", value_name = "FILE", global = true)]
    pub ca_cert: Option<PathBuf>,
    /// The operator's certificate (PEM).
    #[arg(long, env = "AVAL_OPERATOR_CERT", value_name = "FILE", global = true)]
    pub operator_cert: Option<PathBuf>,
    /// The operator's private key (PEM).
    #[arg(long, env = "AVAL_OPERATOR_KEY", value_name = "FILE", global = true)]
    pub operator_key: Option<PathBuf>,
}

/// A `KEY=value` file (`dev.env`): blank lines and `#` comments are ignored; `export ` before
/// a key and quotes around a value are tolerated, so a file written for `source` reads too.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EnvFile {
    pub path: PathBuf,
    pub values: BTreeMap<String, String>,
}

impl EnvFile {
    pub fn parse(path: &Path, text: &str) -> anyhow::Result<Self> {
        let mut values = BTreeMap::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let line = line.strip_prefix("export ").unwrap_or(line);
            let Some((key, value)) = line.split_once('=') else {
                anyhow::bail!(
                    "{}:{}: expected KEY=value, found `{line}`",
                    path.display(),
                    index + 1
                );
            };
            values.insert(key.trim().to_owned(), unquote(value.trim()).to_owned());
        }
        Ok(Self {
            path: path.to_owned(),
            values,
        })
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.values
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|v| v.strip_suffix(quote))
        {
            return inner;
        }
    }
    value
}

/// One setting: its flag, its variable, and what it is (for messages).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Setting {
    flag: &'static str,
    var: &'static str,
    what: &'static str,
}

/// A mesh service that `aval admin` calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    Auth,
    Billing,
    Score,
    Analysis,
}

impl Service {
    /// Its mesh identity, which its certificate must name (`auth-service`).
    pub fn identity(self) -> &'static str {
        match self {
            Self::Auth => MeshIdentity::AUTH,
            Self::Billing => MeshIdentity::BILLING,
            Self::Score => MeshIdentity::SCORE,
            Self::Analysis => MeshIdentity::ANALYSIS,
        }
    }

    fn url_setting(self) -> Setting {
        match self {
            Self::Auth => Setting {
                flag: "--auth-url",
                var: "AVAL_AUTH_URL",
                what: "auth-service address",
            },
            Self::Billing => Setting {
                flag: "--billing-url",
                var: "AVAL_BILLING_URL",
                what: "billing-service address",
            },
            Self::Score => Setting {
                flag: "--score-url",
                var: "AVAL_SCORE_URL",
                what: "score-service address",
            },
            Self::Analysis => Setting {
                flag: "--analysis-url",
                var: "AVAL_ANALYSIS_URL",
                what: "analysis-service address",
            },
        }
    }

    /// The variable that says where the service listens (for hints).
    pub fn url_var(self) -> &'static str {
        self.url_setting().var
    }
}

const CA_CERT: Setting = Setting {
    flag: "--ca-cert",
    var: "AVAL_CA_CERT",
    what: "mesh CA certificate",
};
const OPERATOR_CERT: Setting = Setting {
    flag: "--operator-cert",
    var: "AVAL_OPERATOR_CERT",
    what: "operator certificate",
};
const OPERATOR_KEY: Setting = Setting {
    flag: "--operator-key",
    var: "AVAL_OPERATOR_KEY",
    what: "operator key",
};

/// Where a value came from, for messages that must say which one to fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// The flag, or the process environment variable of the same name.
    Given(&'static str, &'static str),
    File(PathBuf, &'static str),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Given(flag, var) => write!(f, "{flag} or {var}"),
            Self::File(path, var) => write!(f, "{var} in {}", path.display()),
        }
    }
}

/// A resolved value and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sourced<T> {
    pub value: T,
    pub source: Source,
}

/// A service's address and the operator's certificate files, resolved but not yet read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub service: Service,
    pub url: Sourced<String>,
    pub ca_cert: Sourced<PathBuf>,
    pub operator_cert: Sourced<PathBuf>,
    pub operator_key: Sourced<PathBuf>,
}

impl ConnectionArgs {
    /// The env file to read: `--env-file` (which must exist) or `<data_dir>/dev.env` (which may
    /// not).
    fn env_file_path(&self) -> (PathBuf, bool) {
        match &self.env_file {
            Some(path) => (path.clone(), true),
            None => (self.data_dir.join("dev.env"), false),
        }
    }

    fn load_env_file(&self) -> anyhow::Result<Option<EnvFile>> {
        let (path, required) = self.env_file_path();
        match std::fs::read_to_string(&path) {
            Ok(text) => EnvFile::parse(&path, &text).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => Ok(None),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    /// The address given for `service` by flag or environment, if any.
    fn given_url(&self, service: Service) -> Option<String> {
        match service {
            Service::Auth => self.auth_url.clone(),
            Service::Billing => self.billing_url.clone(),
            Service::Score => self.score_url.clone(),
            Service::Analysis => self.analysis_url.clone(),
        }
    }

    /// Reads the env file and connects `service`'s settings to their sources; fails with a
    /// message naming every missing setting and how to give it.
    pub fn resolve(&self, service: Service) -> anyhow::Result<ServiceConnection> {
        let file = self.load_env_file()?;
        ServiceConnection::open(self.resolve_with(service, file.as_ref())?)
    }

    /// Flags and environment first, then the file.
    pub fn resolve_with(
        &self,
        service: Service,
        file: Option<&EnvFile>,
    ) -> anyhow::Result<Resolved> {
        let mut missing = Vec::new();
        let mut pick = |given: Option<String>, setting: &Setting| -> Option<Sourced<String>> {
            if let Some(value) = given.filter(|v| !v.is_empty()) {
                return Some(Sourced {
                    value,
                    source: Source::Given(setting.flag, setting.var),
                });
            }
            if let Some(value) = file.and_then(|f| f.get(setting.var)) {
                return Some(Sourced {
                    value: value.to_owned(),
                    source: Source::File(
                        file.map(|f| f.path.clone()).unwrap_or_default(),
                        setting.var,
                    ),
                });
            }
            missing.push(self.missing_message(setting, file));
            None
        };
        let path = |p: &Option<PathBuf>| p.as_ref().map(|p| p.display().to_string());
        let url_setting = service.url_setting();
        let url = pick(self.given_url(service), &url_setting);
        let ca = pick(path(&self.ca_cert), &CA_CERT);
        let cert = pick(path(&self.operator_cert), &OPERATOR_CERT);
        let key = pick(path(&self.operator_key), &OPERATOR_KEY);
        let (Some(url), Some(ca), Some(cert), Some(key)) = (url, ca, cert, key) else {
            if let [one] = missing.as_slice() {
                anyhow::bail!("{one}");
            }
            anyhow::bail!(
                "cannot connect to {} as the operator:\n  {}",
                service.identity(),
                missing.join("\n  ")
            );
        };
        let as_path = |s: Sourced<String>| Sourced {
            value: PathBuf::from(s.value),
            source: s.source,
        };
        Ok(Resolved {
            service,
            url: Sourced {
                value: normalize_url(&url.value)
                    .with_context(|| format!("bad {} ({})", url_setting.what, url.source))?,
                source: url.source,
            },
            ca_cert: as_path(ca),
            operator_cert: as_path(cert),
            operator_key: as_path(key),
        })
    }

    fn missing_message(&self, setting: &Setting, file: Option<&EnvFile>) -> String {
        let (path, _) = self.env_file_path();
        let Setting { flag, var, what } = setting;
        match file {
            Some(file) => format!(
                "no {what}: pass {flag} or set {var} ({} has no {var})",
                file.path.display()
            ),
            None if self.env_file.is_some() => format!("no {what}: pass {flag} or set {var}"),
            None => format!(
                "no {what}: pass {flag}, set {var}, or start `aval dev`, which writes {}",
                path.display()
            ),
        }
    }
}

/// `https://host:port`; a bare `host:port` gets `https://`. The mesh speaks only mTLS, so
/// `http://` is refused rather than tried.
fn normalize_url(url: &str) -> anyhow::Result<String> {
    let url = url.trim().trim_end_matches('/');
    if url.starts_with("https://") {
        Ok(url.to_owned())
    } else if url.contains("://") {
        anyhow::bail!("`{url}` is not https:// (every mesh service speaks only mTLS)")
    } else {
        Ok(format!("https://{url}"))
    }
}

/// A service, reachable as the operator.
pub struct ServiceConnection {
    pub service: Service,
    pub url: String,
    peer: PeerAddress,
    tls: MeshTls,
}

impl ServiceConnection {
    /// Reads the certificate files (naming the setting a missing file came from).
    pub fn open(resolved: Resolved) -> anyhow::Result<Self> {
        let read = |file: &Sourced<PathBuf>, what: &str| {
            std::fs::read(&file.value).with_context(|| {
                format!(
                    "cannot read the {what} {} (from {})",
                    file.value.display(),
                    file.source
                )
            })
        };
        let ca = read(&resolved.ca_cert, CA_CERT.what)?;
        let cert = read(&resolved.operator_cert, OPERATOR_CERT.what)?;
        let key = read(&resolved.operator_key, OPERATOR_KEY.what)?;
        let url = resolved.url.value;
        let service = resolved.service;
        Ok(Self {
            peer: PeerAddress::new(url.clone(), service.identity()),
            service,
            url,
            tls: MeshTls::from_pem(ca, cert, key)?,
        })
    }

    /// For unary calls (each bounded by the mesh's usual per-call deadline).
    pub fn channel(&self) -> anyhow::Result<MeshChannel> {
        connect_lazy(&self.peer, &self.tls).with_context(|| self.bad_address())
    }

    /// For a long stream (a profile import): no deadline on the whole call, which lasts as long
    /// as the file takes.
    pub fn streaming_channel(&self) -> anyhow::Result<MeshChannel> {
        connect_for_streams(&self.peer, &self.tls).with_context(|| self.bad_address())
    }

    fn bad_address(&self) -> String {
        format!("bad {} address {}", self.service.identity(), self.url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev_env() -> EnvFile {
        let text = "\
# written by aval dev
AVAL_GATEWAY_URL=http://127.0.0.1:8080

AVAL_AUTH_URL=https://127.0.0.1:50051
AVAL_SCORE_URL=https://127.0.0.1:50052
AVAL_BILLING_URL=https://127.0.0.1:50054
AVAL_CA_CERT=/data/certs/ca.pem
AVAL_OPERATOR_CERT=/data/certs/operator.pem
AVAL_OPERATOR_KEY=/data/certs/operator-key.pem
";
        EnvFile::parse(Path::new(".aval/dev.env"), text).unwrap_or_default()
    }

    fn args() -> ConnectionArgs {
        ConnectionArgs {
            data_dir: PathBuf::from(".aval"),
            ..ConnectionArgs::default()
        }
    }

    #[test]
    fn env_files_skip_blanks_and_comments_and_tolerate_export_and_quotes() -> anyhow::Result<()> {
        let file = EnvFile::parse(
            Path::new("x.env"),
            "# c\n\n  A=1\nexport B=\"two words\"\nC='x=y'\nD=\n",
        )?;
        assert_eq!(file.values["A"], "1");
        assert_eq!(file.values["B"], "two words");
        assert_eq!(file.values["C"], "x=y");
        assert_eq!(file.get("D"), None, "an empty value is no value");
        Ok(())
    }

    #[test]
    fn a_line_without_equals_is_an_error_naming_its_line() {
        let err = EnvFile::parse(Path::new("x.env"), "A=1\nnonsense\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("x.env:2"), "{err}");
    }

    #[test]
    fn dev_env_alone_gives_everything() -> anyhow::Result<()> {
        let resolved = args().resolve_with(Service::Score, Some(&dev_env()))?;
        assert_eq!(resolved.url.value, "https://127.0.0.1:50052");
        assert_eq!(
            resolved.url.source,
            Source::File(PathBuf::from(".aval/dev.env"), "AVAL_SCORE_URL")
        );
        assert_eq!(
            resolved.operator_key.value,
            PathBuf::from("/data/certs/operator-key.pem")
        );
        Ok(())
    }

    #[test]
    fn each_service_has_its_own_address_and_shares_the_certificate() -> anyhow::Result<()> {
        let args = ConnectionArgs {
            billing_url: Some("10.0.0.4:50054".into()),
            ..args()
        };
        let auth = args.resolve_with(Service::Auth, Some(&dev_env()))?;
        assert_eq!(auth.url.value, "https://127.0.0.1:50051");
        assert_eq!(
            auth.url.source,
            Source::File(PathBuf::from(".aval/dev.env"), "AVAL_AUTH_URL")
        );
        let billing = args.resolve_with(Service::Billing, Some(&dev_env()))?;
        assert_eq!(billing.url.value, "https://10.0.0.4:50054");
        assert_eq!(
            billing.url.source,
            Source::Given("--billing-url", "AVAL_BILLING_URL")
        );
        assert_eq!(auth.operator_cert, billing.operator_cert);
        assert_eq!(billing.service.identity(), "billing-service");
        Ok(())
    }

    #[test]
    fn a_command_needs_only_the_address_of_the_service_it_calls() {
        let args = ConnectionArgs {
            auth_url: Some("https://127.0.0.1:50051".into()),
            ca_cert: Some("ca.pem".into()),
            operator_cert: Some("op.pem".into()),
            operator_key: Some("op-key.pem".into()),
            ..args()
        };
        assert!(args.resolve_with(Service::Auth, None).is_ok());
        let err = args
            .resolve_with(Service::Billing, None)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.starts_with("no billing-service address: pass --billing-url, set AVAL_BILLING_URL"),
            "{err}"
        );
        assert!(!err.contains("score"), "{err}");
    }

    #[test]
    fn flags_and_environment_override_the_file() -> anyhow::Result<()> {
        let args = ConnectionArgs {
            score_url: Some("https://10.0.0.1:1".into()),
            operator_cert: Some("/mine.pem".into()),
            ..args()
        };
        let resolved = args.resolve_with(Service::Score, Some(&dev_env()))?;
        assert_eq!(resolved.url.value, "https://10.0.0.1:1");
        assert_eq!(
            resolved.url.source,
            Source::Given("--score-url", "AVAL_SCORE_URL")
        );
        assert_eq!(resolved.operator_cert.value, PathBuf::from("/mine.pem"));
        assert_eq!(resolved.ca_cert.value, PathBuf::from("/data/certs/ca.pem"));
        Ok(())
    }

    #[test]
    fn no_env_file_is_fine_when_flags_give_everything() -> anyhow::Result<()> {
        let args = ConnectionArgs {
            score_url: Some("127.0.0.1:50052".into()),
            ca_cert: Some("ca.pem".into()),
            operator_cert: Some("op.pem".into()),
            operator_key: Some("op-key.pem".into()),
            ..args()
        };
        let resolved = args.resolve_with(Service::Score, None)?;
        assert_eq!(
            resolved.url.value, "https://127.0.0.1:50052",
            "a bare host:port is https"
        );
        Ok(())
    }

    #[test]
    fn missing_settings_are_each_named_with_how_to_give_them() {
        let err = args()
            .resolve_with(Service::Score, None)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains(
                "no score-service address: pass --score-url, set AVAL_SCORE_URL, or start `aval dev`, which writes .aval/dev.env"
            ),
            "{err}"
        );
        for flag in ["--ca-cert", "--operator-cert", "--operator-key"] {
            assert!(err.contains(flag), "{err}");
        }
    }

    #[test]
    fn a_file_lacking_a_key_is_named() {
        let mut file = dev_env();
        file.values.remove("AVAL_OPERATOR_KEY");
        let err = args()
            .resolve_with(Service::Score, Some(&file))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("no operator key: pass --operator-key or set AVAL_OPERATOR_KEY (.aval/dev.env has no AVAL_OPERATOR_KEY)"),
            "{err}"
        );
        assert!(!err.contains("score-service address"), "{err}");
    }

    #[test]
    fn plaintext_urls_are_refused() {
        let args = ConnectionArgs {
            score_url: Some("http://127.0.0.1:50052".into()),
            ..args()
        };
        let err = args
            .resolve_with(Service::Score, Some(&dev_env()))
            .err()
            .map(|e| format!("{e:#}"))
            .unwrap_or_default();
        assert!(err.contains("not https://"), "{err}");
        assert!(err.contains("--score-url or AVAL_SCORE_URL"), "{err}");
    }

    #[test]
    fn the_default_env_file_lives_in_the_data_dir_and_may_be_absent() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let args = ConnectionArgs {
            data_dir: dir.path().to_owned(),
            ..ConnectionArgs::default()
        };
        assert_eq!(args.load_env_file()?, None);
        std::fs::write(dir.path().join("dev.env"), "AVAL_SCORE_URL=https://h:1\n")?;
        let file = args.load_env_file()?;
        assert_eq!(
            file.and_then(|f| f.values.get("AVAL_SCORE_URL").cloned()),
            Some("https://h:1".to_owned())
        );
        Ok(())
    }

    #[test]
    fn an_explicit_env_file_must_exist() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let args = ConnectionArgs {
            env_file: Some(dir.path().join("nope.env")),
            ..args()
        };
        let err = args.load_env_file().err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("nope.env")));
        Ok(())
    }

    #[test]
    fn unreadable_certificates_name_their_setting() -> anyhow::Result<()> {
        let resolved = args().resolve_with(Service::Score, Some(&dev_env()))?;
        let err = ServiceConnection::open(resolved)
            .err()
            .map(|e| format!("{e:#}"))
            .unwrap_or_default();
        assert!(
            err.contains("cannot read the mesh CA certificate /data/certs/ca.pem (from AVAL_CA_CERT in .aval/dev.env)"),
            "{err}"
        );
        Ok(())
    }
}
