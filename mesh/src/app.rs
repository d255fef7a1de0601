//! The life of a mesh service, shared by all four: connect and migrate its database, bind its
//! mTLS server, serve until shutdown; and the thin `main` every service binary uses.

use crate::{
    authz::AccessPolicy,
    server::{MeshServer, ServerError},
    settings::{Env, ServiceSettings, SettingsError},
    shutdown::{self, CancellationToken},
    telemetry::{self, TelemetryError},
    tls::{MeshTls, TlsError},
};
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
}

/// Connects the database and brings its schema up with `M`, then binds the server.
pub async fn prepare<M: MigratorTrait>(
    settings: &ServiceSettings,
    policy: AccessPolicy,
) -> Result<(MeshServer, DatabaseConnection), StartError> {
    let db = crate::db::connect_and_migrate::<M>(settings.database_url.expose()).await?;
    let tls = MeshTls::load(&settings.tls)?;
    let server = MeshServer::bind(settings.server.clone(), tls, policy).await?;
    Ok((server, db))
}

/// A bound server and the routes it will serve.
pub struct ServiceHost {
    server: MeshServer,
    routes: Routes,
    service_names: &'static [&'static str],
}

impl ServiceHost {
    pub fn new(server: MeshServer, routes: Routes, service_names: &'static [&'static str]) -> Self {
        Self {
            server,
            routes,
            service_names,
        }
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.server.local_addr()
    }

    pub fn probe_addr(&self) -> Option<SocketAddr> {
        self.server.probe_addr()
    }

    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> Result<(), ServerError> {
        self.server
            .serve(self.routes, self.service_names, shutdown)
            .await
    }
}

/// What `aval dev`, the tests and each binary's `main` need from a service.
pub trait MeshService: Sized + Send + 'static {
    /// The mesh identity, e.g. `score-service`.
    const IDENTITY: &'static str;

    fn build(settings: ServiceSettings) -> impl Future<Output = Result<Self, StartError>> + Send;
    fn local_addr(&self) -> SocketAddr;
    fn run_until_stopped(
        self,
        shutdown: CancellationToken,
    ) -> impl Future<Output = Result<(), ServerError>> + Send;
}

/// A service binary's whole `main`: settings from the environment, telemetry, build, serve
/// until SIGTERM or Ctrl-C.
pub async fn run_main<S: MeshService>() -> Result<(), StartError> {
    crate::install_crypto_provider();
    let settings = ServiceSettings::from_env(S::IDENTITY, &Env::process())?;
    let _telemetry = telemetry::init(S::IDENTITY, &settings.telemetry)?;
    let service = S::build(settings).await?;
    tracing::info!(service = S::IDENTITY, addr = %service.local_addr(), "serving gRPC over mTLS");
    let shutdown = shutdown::token_cancelled_on_signal();
    service.run_until_stopped(shutdown).await?;
    tracing::info!(service = S::IDENTITY, "stopped");
    Ok(())
}
