//! The gRPC server every service runs: mTLS, caller allow-list, a trace span per request,
//! standard health (NOT_SERVING until ready and again from the start of shutdown), reflection,
//! an optional plaintext health port for kubelet probes, and a graceful drain.

mod health;

use crate::{
    authz::{AccessPolicy, AuthzLayer},
    bearer::{BearerLayer, JwksCache},
    propagation::server_request_span,
    shutdown::CancellationToken,
    tls::MeshTls,
};
use std::{net::SocketAddr, time::Duration};
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::service::Routes;
use tonic_health::{ServingStatus, server::HealthReporter};

/// Where and how a service listens.
#[derive(Clone, Debug)]
pub struct ServerSettings {
    /// The mTLS gRPC address; port 0 picks a free port.
    pub listen: SocketAddr,
    /// A plaintext address serving only the health service, for probes that cannot present a
    /// client certificate (kubelet's gRPC probe).
    pub probe_listen: Option<SocketAddr>,
    /// How long health says NOT_SERVING before the server stops accepting calls, so load
    /// balancers stop routing to it first.
    pub drain_delay: Duration,
}

impl ServerSettings {
    /// Loopback, a free port, no probe port, no drain delay: what tests want.
    pub fn ephemeral() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            probe_listen: None,
            drain_delay: Duration::ZERO,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot bind {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("gRPC transport: {0}")]
    Transport(#[from] tonic::transport::Error),
    #[error("reflection service: {0}")]
    Reflection(#[from] tonic_reflection::server::Error),
}

/// A bound, not yet serving, mesh server.
pub struct MeshServer {
    listener: TcpListener,
    probe_listener: Option<TcpListener>,
    settings: ServerSettings,
    tls: MeshTls,
    policy: AccessPolicy,
    bearer: BearerLayer,
    health: HealthReporter,
}

impl MeshServer {
    /// Binds the listeners now, so the caller learns the addresses before serving.
    pub async fn bind(
        settings: ServerSettings,
        tls: MeshTls,
        policy: AccessPolicy,
    ) -> Result<Self, ServerError> {
        let listener = bind(settings.listen).await?;
        let probe_listener = match settings.probe_listen {
            Some(addr) => Some(bind(addr).await?),
            None => None,
        };
        Ok(Self {
            listener,
            probe_listener,
            settings,
            tls,
            policy,
            bearer: BearerLayer::disabled(),
            health: HealthReporter::new(),
        })
    }

    /// Authenticates bearer tokens against `jwks` before handlers run.
    #[must_use]
    pub fn verify_tokens_with(mut self, jwks: std::sync::Arc<JwksCache>) -> Self {
        self.bearer = BearerLayer::new(jwks);
        self
    }

    /// The server's own TLS material, for the clients it needs.
    pub fn tls(&self) -> &MeshTls {
        &self.tls
    }

    pub fn local_addr(&self) -> SocketAddr {
        // A bound listener always has an address; fall back to the configured one anyway.
        self.listener.local_addr().unwrap_or(self.settings.listen)
    }

    pub fn probe_addr(&self) -> Option<SocketAddr> {
        self.probe_listener
            .as_ref()
            .and_then(|l| l.local_addr().ok())
    }

    /// Serves `routes` until `shutdown` is cancelled, then reports NOT_SERVING, waits the drain
    /// delay, stops accepting and lets in-flight calls finish. `service_names` are the fully
    /// qualified gRPC service names whose health is reported (the overall "" status always is).
    pub async fn serve(
        self,
        routes: Routes,
        service_names: &[&str],
        shutdown: CancellationToken,
    ) -> Result<(), ServerError> {
        let mut names: Vec<String> = vec![String::new()];
        names.extend(service_names.iter().map(|s| (*s).to_owned()));
        set_status(&self.health, &names, ServingStatus::NotServing).await;

        // Cancelled once shutdown started and the drain delay passed: the listeners close,
        // health watches end, and tonic waits for the calls in flight.
        let drained = CancellationToken::new();
        // Both reflection protocols: many tools (grpcio's, Evans) still speak only v1alpha.
        let reflection = || {
            tonic_reflection::server::Builder::configure()
                .register_encoded_file_descriptor_set(aval_proto::FILE_DESCRIPTOR_SET)
                .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        };
        let routes = routes
            .add_service(health::service(&self.health, drained.clone()))
            .add_service(reflection().build_v1()?)
            .add_service(reflection().build_v1alpha()?);

        let drain = {
            let health = self.health.clone();
            let names = names.clone();
            let delay = self.settings.drain_delay;
            let shutdown = shutdown.clone();
            let drained = drained.clone();
            async move {
                shutdown.cancelled().await;
                set_status(&health, &names, ServingStatus::NotServing).await;
                tokio::time::sleep(delay).await;
                drained.cancel();
            }
        };
        tokio::spawn(drain);

        let probe = self.probe_listener.map(|listener| {
            let server = tonic::transport::Server::builder()
                .add_service(health::service(&self.health, drained.clone()))
                .serve_with_incoming_shutdown(
                    TcpListenerStream::new(listener),
                    drained.clone().cancelled_owned(),
                );
            tokio::spawn(server)
        });

        // Our own accept loop does the TLS, so each new connection gets the certificate
        // current at that moment (see `tls`).
        let incoming = crate::tls::accept(
            self.listener,
            self.tls.clone(),
            drained.clone().cancelled_owned(),
        );
        let server = tonic::transport::Server::builder()
            .trace_fn(server_request_span)
            .layer(
                tower::ServiceBuilder::new()
                    .layer(AuthzLayer::new(self.policy))
                    .layer(self.bearer),
            )
            .add_routes(routes)
            .serve_with_incoming_shutdown(incoming, drained.cancelled_owned());
        // The listener is bound and accepting from here on; report ready unless shutdown
        // already began.
        if !shutdown.is_cancelled() {
            set_status(&self.health, &names, ServingStatus::Serving).await;
        }
        let result = server.await;
        if let Some(probe) = probe {
            // The probe server ends on the same signal; its errors do not matter any more.
            let _ = probe.await;
        }
        result.map_err(ServerError::from)
    }
}

async fn set_status(health: &HealthReporter, names: &[String], status: ServingStatus) {
    for name in names {
        health.set_service_status(name, status).await;
    }
}

async fn bind(addr: SocketAddr) -> Result<TcpListener, ServerError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| ServerError::Bind { addr, source })
}
