//! The life of a mesh service, shared by all four: connect and migrate its database, bind its
//! mTLS server, serve until shutdown with its background jobs; and the thin `main` every
//! service binary uses. A service only says how it is built ([`MeshService::build`]); running
//! it is the same for all, here.

use crate::{
    authz::AccessPolicy,
    server::{MeshServer, ServerError},
    settings::{Env, ServiceSettings, SettingsError},
    shutdown::{self, CancellationToken},
    tls::{MeshTls, TlsError},
};
use aval_telemetry::TelemetryError;
use futures_util::future::BoxFuture;
use sea_orm::{DatabaseConnection, DbErr};
use sea_orm_migration::MigratorTrait;
use std::{future::Future, net::SocketAddr};
use tonic::service::Routes;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("database: {0}")]
    Database(#[from] DbErr),
    #[error(transparent)]
    Server(#[from] ServerError),
    #[error(transparent)]
    Telemetry(#[from] TelemetryError),
    #[error(transparent)]
    Peer(#[from] crate::client::PeerError),
    #[error("{0}")]
    Other(String),
}

/// Connects the database and brings its schema up with `M`, then binds the server.
pub async fn prepare<M: MigratorTrait>(
    settings: &ServiceSettings,
    policy: AccessPolicy,
) -> Result<(MeshServer, DatabaseConnection), StartError> {
    let db = aval_database::connect_and_migrate::<M>(settings.database_url.expose()).await?;
    let tls = MeshTls::load(&settings.tls)?;
    tls.spawn_reloader(settings.cert_reload);
    let server = MeshServer::bind(settings.server.clone(), tls, policy).await?;
    Ok((server, db))
}

/// Makes `server` authenticate bearer tokens with auth-service's keys (fetched over mTLS).
pub fn with_token_verification(
    server: MeshServer,
    settings: &ServiceSettings,
) -> Result<MeshServer, StartError> {
    let auth = crate::client::connect_lazy(&settings.peers.auth, server.tls())?;
    Ok(server.verify_tokens_with(crate::bearer::JwksCache::new(auth)))
}

/// A background job of a service: runs while it serves, told to stop (via its token) only
/// after the server has drained, so work done by the last requests is not cut off.
type Job = Box<dyn FnOnce(CancellationToken) -> BoxFuture<'static, ()> + Send>;

/// A bound server, the routes it will serve and its background jobs: a service ready to run.
pub struct ServiceHost {
    server: MeshServer,
    routes: Routes,
    service_names: &'static [&'static str],
    jobs: Vec<Job>,
    handles: http::Extensions,
}

impl ServiceHost {
    pub fn new(server: MeshServer, routes: Routes, service_names: &'static [&'static str]) -> Self {
        Self {
            server,
            routes,
            service_names,
            jobs: Vec::new(),
            handles: http::Extensions::new(),
        }
    }

    /// Keeps a handle on the running service for whoever hosts it (e.g. the usage outbox's
    /// flush handle, which `aval dev` and the tests use to wait for billing's ack).
    #[must_use]
    pub fn with_handle<T: Clone + Send + Sync + 'static>(mut self, handle: T) -> Self {
        self.handles.insert(handle);
        self
    }

    /// The handle of type `T` the service registered, if any.
    pub fn handle<T: Clone + Send + Sync + 'static>(&self) -> Option<T> {
        self.handles.get::<T>().cloned()
    }

    /// Runs `job` alongside the server (e.g. the usage outbox shipper).
    #[must_use]
    pub fn with_job<F, Fut>(mut self, job: F) -> Self
    where
        F: FnOnce(CancellationToken) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.jobs.push(Box::new(move |stop| Box::pin(job(stop))));
        self
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.server.local_addr()
    }

    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> Result<(), ServerError> {
        let stop_jobs = CancellationToken::new();
        let jobs: Vec<_> = self
            .jobs
            .into_iter()
            .map(|job| tokio::spawn(job(stop_jobs.clone())))
            .collect();
        let result = self
            .server
            .serve(self.routes, self.service_names, shutdown)
            .await;
        stop_jobs.cancel();
        for job in jobs {
            if let Err(e) = job.await {
                tracing::error!(error = %e, "background job panicked");
            }
        }
        result
    }
}

/// A mesh service: its identity and how it is built. `aval dev`, the tests and each binary's
/// `main` run every service the same way, through the [`ServiceHost`] it builds.
pub trait MeshService {
    /// The mesh identity, e.g. `score-service`.
    const IDENTITY: &'static str;

    /// The service's schema migrations (what `<binary> migrate` runs).
    type Migrator: MigratorTrait;

    /// Connects the service's database, binds its server and wires its use cases.
    fn build(
        settings: ServiceSettings,
    ) -> impl Future<Output = Result<ServiceHost, StartError>> + Send;
}

/// What a service binary is asked to do by its arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// No arguments: migrate, then serve until SIGTERM or Ctrl-C.
    Serve,
    /// `migrate`: bring the schema up to date and exit (a Kubernetes Job or init container
    /// before new pods serve; safe to run from several places at once).
    Migrate,
}

impl Command {
    pub fn parse(args: &[String]) -> Result<Self, StartError> {
        match args {
            [] => Ok(Self::Serve),
            [command] if command == "migrate" => Ok(Self::Migrate),
            _ => Err(StartError::Other(format!(
                "unexpected arguments {args:?}: run with none to serve, or `migrate` to migrate the database and exit"
            ))),
        }
    }
}

/// A service binary's whole `main`: settings from the environment, telemetry, then either
/// migrate and exit (`migrate`), or build and serve until SIGTERM or Ctrl-C.
pub async fn run_main<S: MeshService>() -> Result<(), StartError> {
    crate::install_crypto_provider();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = Command::parse(&args)?;
    let settings = ServiceSettings::from_env(S::IDENTITY, &Env::process())?;
    let _telemetry = aval_telemetry::init(S::IDENTITY, &settings.telemetry)?;
    if command == Command::Migrate {
        let db = aval_database::connect_and_migrate::<S::Migrator>(settings.database_url.expose())
            .await?;
        db.close().await?;
        tracing::info!(service = S::IDENTITY, "database migrated");
        return Ok(());
    }
    let service = S::build(settings).await?;
    tracing::info!(service = S::IDENTITY, addr = %service.local_addr(), "serving gRPC over mTLS");
    let shutdown = shutdown::token_cancelled_on_signal();
    service.run_until_stopped(shutdown).await?;
    tracing::info!(service = S::IDENTITY, "stopped");
    Ok(())
}
