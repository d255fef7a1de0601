//! `aval dev`: certificates and data directory created if missing, the four services and the
//! gateway started as separate servers on loopback with mTLS between them, each service on its
//! own SQLite file; ready once every one reports SERVING.

use crate::{
    admin::MeshAdmin,
    demo::{self, DemoData},
};
use aval_database::sqlite_url;
use aval_gateway::{Gateway, GatewaySettings};
use aval_metering::OutboxHandle;
use aval_telemetry::TelemetrySettings;
use aval_transport::{
    client::{PeerAddress, connect_lazy},
    health::wait_serving,
    host::MeshService,
    identity::MeshIdentity,
    server::ServerSettings,
    settings::{Env, Peers, Secret, ServiceSettings},
    shutdown::CancellationToken,
    tls::{CertPaths, MeshTls},
};
use std::{
    collections::BTreeMap,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    path::{Path, PathBuf},
    time::Duration,
};
use tokio::task::JoinHandle;

/// How often the running mesh checks `.aval/certs` for certificates `aval certs` renewed.
const DEV_CERT_RELOAD: Duration = Duration::from_secs(10);

/// How `aval dev` runs.
#[derive(Clone, Debug)]
pub struct DevOptions {
    /// Certificates go to `<data_dir>/certs`, databases to `<data_dir>/data`, and `dev.env`
    /// to `<data_dir>/dev.env`.
    pub data_dir: PathBuf,
    /// The gateway's REST address.
    pub gateway_listen: SocketAddr,
    /// auth, score, analysis and billing listen on this port and the next three; 0 picks free
    /// ports.
    pub grpc_port_base: u16,
    /// A PostgreSQL URL shared by all services instead of their SQLite files (their tables and
    /// migration records are named per service).
    pub database_url: Option<String>,
    pub telemetry: TelemetrySettings,
    /// How long score and analysis may reuse billing's quota answer (0: ask every time).
    pub quota_cache_ttl: Duration,
}

impl DevOptions {
    /// Free ports everywhere, SQLite under `data_dir`: what tests want.
    pub fn ephemeral(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            gateway_listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            grpc_port_base: 0,
            database_url: None,
            telemetry: TelemetrySettings::default(),
            quota_cache_ttl: ServiceSettings::DEFAULT_QUOTA_CACHE_TTL,
        }
    }
}

/// The running mesh.
pub struct DevMesh {
    pub data_dir: PathBuf,
    pub cert_dir: PathBuf,
    pub gateway_addr: SocketAddr,
    /// Each service's gRPC address, by mesh identity.
    pub services: BTreeMap<&'static str, SocketAddr>,
    /// Demo credentials, once [`DevMesh::seed_demo`] ran.
    pub demo: Option<DemoData>,
    options: DevOptions,
    peers: Peers,
    shutdown: CancellationToken,
    service_shutdown: BTreeMap<&'static str, CancellationToken>,
    tasks: BTreeMap<&'static str, JoinHandle<anyhow::Result<()>>>,
    /// The usage outboxes of the delivering services, by identity.
    outboxes: BTreeMap<&'static str, OutboxHandle>,
}

/// Builds every service and the gateway, and starts serving. Returns once all are bound; call
/// [`DevMesh::wait_ready`] to wait for SERVING.
pub async fn start(options: DevOptions) -> anyhow::Result<DevMesh> {
    aval_transport::install_crypto_provider();
    let data_dir = absolute(&options.data_dir)?;
    let cert_dir = data_dir.join("certs");
    std::fs::create_dir_all(data_dir.join("data"))?;
    // A stale dev.env must not tell scripts that this run is ready.
    let _ = std::fs::remove_file(data_dir.join("dev.env"));
    // The CA key stays beside, not among, the certificates services read.
    let ca_dir = data_dir.join("ca");
    if aval_certs::ensure_mesh_certs(&cert_dir, &ca_dir, aval_certs::DEFAULT_NAMESPACE)? {
        tracing::info!(dir = %cert_dir.display(), "generated mesh certificates");
    }

    let shutdown = CancellationToken::new();
    let mut mesh = DevMesh {
        data_dir: data_dir.clone(),
        cert_dir: cert_dir.clone(),
        gateway_addr: options.gateway_listen,
        services: BTreeMap::new(),
        demo: None,
        options: options.clone(),
        peers: Peers::from_env(&Env::from_lookup(|_| None))?,
        shutdown: shutdown.clone(),
        service_shutdown: BTreeMap::new(),
        tasks: BTreeMap::new(),
        outboxes: BTreeMap::new(),
    };
    let mut peers = Peers::from_env(&Env::from_lookup(|_| None))?;
    let port = |offset: u16| {
        if options.grpc_port_base == 0 {
            0
        } else {
            options.grpc_port_base + offset
        }
    };

    // Services first, in dependency order (auth's keys verify every token; billing is called
    // by score and analysis; score by analysis), so each learns its peers' addresses.
    let auth = mesh
        .spawn::<aval_auth_service::Application>(&options, port(0), &peers)
        .await?;
    peers.auth = peer(auth, MeshIdentity::AUTH);
    let billing = mesh
        .spawn::<aval_billing_service::Application>(&options, port(3), &peers)
        .await?;
    peers.billing = peer(billing, MeshIdentity::BILLING);
    let score = mesh
        .spawn::<aval_score_service::Application>(&options, port(1), &peers)
        .await?;
    peers.score = peer(score, MeshIdentity::SCORE);
    let analysis = mesh
        .spawn::<aval_analysis_service::Application>(&options, port(2), &peers)
        .await?;
    peers.analysis = peer(analysis, MeshIdentity::ANALYSIS);

    let gateway = Gateway::build(GatewaySettings {
        listen: options.gateway_listen,
        tls: CertPaths::in_dir(&cert_dir, MeshIdentity::GATEWAY),
        peers: peers.clone(),
        telemetry: options.telemetry.clone(),
        cert_reload: DEV_CERT_RELOAD,
        https: None,
    })
    .await?;
    mesh.peers = peers;
    mesh.gateway_addr = gateway.local_addr();
    let token = shutdown.child_token();
    mesh.tasks.insert(
        MeshIdentity::GATEWAY,
        tokio::spawn(async move { Ok(gateway.run_until_stopped(token).await?) }),
    );
    Ok(mesh)
}

fn peer(addr: SocketAddr, identity: &str) -> PeerAddress {
    PeerAddress::new(format!("https://{addr}"), identity)
}

fn absolute(path: &Path) -> std::io::Result<PathBuf> {
    if path.is_absolute() {
        Ok(path.to_owned())
    } else {
        Ok(std::env::current_dir()?.join(path))
    }
}

impl DevMesh {
    async fn spawn<S: MeshService>(
        &mut self,
        options: &DevOptions,
        port: u16,
        peers: &Peers,
    ) -> anyhow::Result<SocketAddr> {
        let database_url = options.database_url.clone().unwrap_or_else(|| {
            sqlite_url(
                &self
                    .data_dir
                    .join("data")
                    .join(format!("{}.db", S::IDENTITY)),
            )
        });
        let settings = ServiceSettings {
            data_dir: self.data_dir.clone(),
            server: ServerSettings {
                listen: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
                ..ServerSettings::ephemeral()
            },
            tls: CertPaths::in_dir(&self.cert_dir, S::IDENTITY),
            database_url: Secret::new(database_url),
            telemetry: options.telemetry.clone(),
            peers: peers.clone(),
            quota_cache_ttl: options.quota_cache_ttl,
            cert_reload: DEV_CERT_RELOAD,
        };
        let service = S::build(settings)
            .await
            .map_err(|e| anyhow::anyhow!("{} failed to start: {e}", S::IDENTITY))?;
        let addr = service.local_addr();
        if let Some(outbox) = service.handle::<OutboxHandle>() {
            self.outboxes.insert(S::IDENTITY, outbox);
        }
        let token = self.shutdown.child_token();
        self.service_shutdown.insert(S::IDENTITY, token.clone());
        self.services.insert(S::IDENTITY, addr);
        self.tasks.insert(
            S::IDENTITY,
            tokio::spawn(async move { Ok(service.run_until_stopped(token).await?) }),
        );
        Ok(addr)
    }

    /// Where `identity`'s service listens, as a peer to connect to.
    pub fn peer(&self, identity: &str) -> anyhow::Result<PeerAddress> {
        let addr = self
            .services
            .get(identity)
            .ok_or_else(|| anyhow::anyhow!("{identity} is not running"))?;
        Ok(peer(*addr, identity))
    }

    /// Operator access to the mesh (tenants, clients, plans, profiles).
    pub fn admin(&self) -> anyhow::Result<MeshAdmin> {
        MeshAdmin::connect(
            &self.operator_cert(),
            &self.peer(MeshIdentity::AUTH)?,
            &self.peer(MeshIdentity::BILLING)?,
            &self.peer(MeshIdentity::SCORE)?,
        )
    }

    /// Loads the demo tenant, client (with a fresh secret), plan and consumers.
    pub async fn seed_demo(&mut self) -> anyhow::Result<&DemoData> {
        let demo = demo::seed(&mut self.admin()?).await?;
        Ok(self.demo.insert(demo))
    }

    /// Starts a stopped service again on its old port, with its old database.
    pub async fn restart_service(&mut self, identity: &str) -> anyhow::Result<()> {
        let identity = *self
            .services
            .keys()
            .find(|k| **k == identity)
            .ok_or_else(|| anyhow::anyhow!("unknown service {identity}"))?;
        self.stop_service(identity).await?;
        let port = self.services.get(identity).map_or(0, SocketAddr::port);
        let options = self.options.clone();
        let peers = self.peers.clone();
        match identity {
            MeshIdentity::AUTH => {
                self.spawn::<aval_auth_service::Application>(&options, port, &peers)
                    .await?
            }
            MeshIdentity::SCORE => {
                self.spawn::<aval_score_service::Application>(&options, port, &peers)
                    .await?
            }
            MeshIdentity::ANALYSIS => {
                self.spawn::<aval_analysis_service::Application>(&options, port, &peers)
                    .await?
            }
            _ => {
                self.spawn::<aval_billing_service::Application>(&options, port, &peers)
                    .await?
            }
        };
        Ok(())
    }

    pub fn gateway_url(&self) -> String {
        format!("http://{}", self.gateway_addr)
    }

    /// The operator's certificate: administration only.
    pub fn operator_cert(&self) -> CertPaths {
        CertPaths::in_dir(&self.cert_dir, MeshIdentity::OPERATOR)
    }

    /// The certificate a lender's own services present to call the partner APIs over gRPC.
    pub fn internal_client_cert(&self) -> CertPaths {
        CertPaths::in_dir(&self.cert_dir, MeshIdentity::INTERNAL)
    }

    /// Waits until every service reports SERVING over mTLS (watching its health, so it returns
    /// as soon as the last one is ready).
    pub async fn wait_ready(&self) -> anyhow::Result<()> {
        let tls = MeshTls::load(&self.operator_cert())?;
        for (identity, addr) in &self.services {
            let channel = connect_lazy(&peer(*addr, identity), &tls)?;
            wait_serving(channel)
                .await
                .map_err(|e| anyhow::anyhow!("{identity} at {addr}: {e}"))?;
        }
        Ok(())
    }

    /// Ships every usage event delivered so far to billing and returns once billing has
    /// acknowledged them all: after it, usage reports count everything answered before.
    pub async fn flush_usage(&self) -> anyhow::Result<usize> {
        let mut shipped = 0;
        for (identity, outbox) in &self.outboxes {
            shipped += outbox
                .flush()
                .await
                .map_err(|e| anyhow::anyhow!("{identity} outbox: {e}"))?;
        }
        Ok(shipped)
    }

    /// `KEY=value` lines for scripts: where everything listens, the internal client's and the
    /// operator's certificates, and the demo data.
    pub fn env_lines(&self) -> Vec<String> {
        let operator = self.operator_cert();
        let internal = self.internal_client_cert();
        let mut lines = vec![format!("AVAL_GATEWAY_URL={}", self.gateway_url())];
        for (identity, var) in [
            (MeshIdentity::AUTH, "AVAL_AUTH_URL"),
            (MeshIdentity::SCORE, "AVAL_SCORE_URL"),
            (MeshIdentity::ANALYSIS, "AVAL_ANALYSIS_URL"),
            (MeshIdentity::BILLING, "AVAL_BILLING_URL"),
        ] {
            if let Some(addr) = self.services.get(identity) {
                lines.push(format!("{var}=https://{addr}"));
            }
        }
        lines.push(format!("AVAL_CA_CERT={}", internal.ca.display()));
        lines.push(format!("AVAL_CLIENT_CERT={}", internal.cert.display()));
        lines.push(format!("AVAL_CLIENT_KEY={}", internal.key.display()));
        lines.push(format!("AVAL_OPERATOR_CERT={}", operator.cert.display()));
        lines.push(format!("AVAL_OPERATOR_KEY={}", operator.key.display()));
        if let Some(demo) = &self.demo {
            lines.extend(demo::env_lines(demo));
        }
        lines
    }

    /// Writes `<data_dir>/dev.env` atomically (scripts may poll for it).
    pub fn write_env_file(&self) -> std::io::Result<PathBuf> {
        let path = self.data_dir.join("dev.env");
        let tmp = self.data_dir.join("dev.env.tmp");
        // It holds the demo client secret: owner-only.
        let text = self.env_lines().join("\n") + "\n";
        aval_transport::secret_file::write_private(&tmp, text.as_bytes())?;
        std::fs::rename(&tmp, &path)?;
        Ok(path)
    }

    /// Stops one service (its health flips to NOT_SERVING, in-flight calls finish) and waits
    /// until it is gone, leaving the others running: lets tests take a peer down.
    pub async fn stop_service(&mut self, identity: &str) -> anyhow::Result<()> {
        if let Some(token) = self.service_shutdown.get(identity) {
            token.cancel();
        }
        // Its shipper stops with it; a restart registers the new one.
        self.outboxes.remove(identity);
        if let Some(task) = self.tasks.remove(identity) {
            task.await??;
        }
        Ok(())
    }

    /// Stops everything and waits; the first failure of any server is returned.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        self.shutdown.cancel();
        self.join().await
    }

    /// Waits until every server has stopped (after a shutdown, or a failure).
    pub async fn join(self) -> anyhow::Result<()> {
        let mut first_error = None;
        for (name, task) in self.tasks {
            let result = match task.await {
                Ok(result) => result,
                Err(join) => Err(anyhow::anyhow!("task panicked: {join}")),
            };
            if let Err(e) = result {
                tracing::error!(server = name, error = %e, "server failed");
                first_error.get_or_insert(e.context(name));
            }
        }
        // The mesh is gone: scripts must not find its addresses any more.
        let _ = std::fs::remove_file(self.data_dir.join("dev.env"));
        first_error.map_or(Ok(()), Err)
    }

    /// The token whose cancellation stops the whole mesh.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }
}
