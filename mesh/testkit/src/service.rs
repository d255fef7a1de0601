use crate::TestCerts;
use aval_transport::{
    client::{MeshChannel, PeerAddress, connect_lazy},
    host::{MeshService, ServiceHost},
    server::{ServerError, ServerSettings},
    settings::{Env, Peers, Secret, ServiceSettings},
    shutdown::CancellationToken,
    tls::MeshTls,
};
use std::{net::SocketAddr, path::PathBuf};

/// A service started for one test on a free loopback port, with its own certificates.
pub struct TestService {
    pub addr: SocketAddr,
    pub certs: TestCerts,
    identity: &'static str,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<Result<(), ServerError>>,
}

impl TestService {
    /// Builds `S` on `database_url` and serves it until [`TestService::stop`].
    pub async fn spawn<S: MeshService>(database_url: &str) -> anyhow::Result<Self> {
        let certs = TestCerts::generate()?;
        let settings = ServiceSettings {
            data_dir: certs.dir().join("data"),
            server: ServerSettings::ephemeral(),
            tls: certs.paths(S::IDENTITY),
            database_url: Secret::new(database_url),
            telemetry: aval_telemetry::TelemetrySettings::default(),
            peers: Peers::from_env(&Env::from_lookup(|_| None))?,
            quota_cache_ttl: ServiceSettings::DEFAULT_QUOTA_CACHE_TTL,
            // No test renews a TestService's certificate: no reloader.
            cert_reload: std::time::Duration::ZERO,
        };
        let host: ServiceHost = S::build(settings).await?;
        let addr = host.local_addr();
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(host.run_until_stopped(shutdown.clone()));
        let service = Self {
            addr,
            certs,
            identity: S::IDENTITY,
            shutdown,
            task,
        };
        aval_transport::health::wait_serving(
            service.channel_as(aval_transport::identity::MeshIdentity::OPERATOR)?,
        )
        .await?;
        Ok(service)
    }

    /// The service's data directory (its `secrets/`).
    pub fn data_dir(&self) -> PathBuf {
        self.certs.dir().join("data")
    }

    /// A channel to the service presenting `identity`'s mesh certificate.
    pub fn channel_as(&self, identity: &str) -> anyhow::Result<MeshChannel> {
        self.channel_with(&self.certs.tls(identity)?)
    }

    /// A channel presenting the named internal client `name`'s own certificate.
    pub fn channel_as_internal_client(&self, name: &str) -> anyhow::Result<MeshChannel> {
        self.channel_with(&self.certs.internal_client(name)?)
    }

    fn channel_with(&self, tls: &MeshTls) -> anyhow::Result<MeshChannel> {
        let peer = PeerAddress::new(format!("https://{}", self.addr), self.identity);
        Ok(connect_lazy(&peer, tls)?)
    }

    /// Shuts the service down and waits for it to finish.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.shutdown.cancel();
        self.task.await??;
        Ok(())
    }
}
