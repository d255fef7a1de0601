//! score-service: consumer (CPF) credit scores from behavioural profiles and score models.

pub mod api;
pub mod domain;
pub mod error;
pub mod store;

use aval_mesh::{
    app::{MeshService, ServiceHost, StartError, prepare, with_token_verification},
    client::connect_lazy,
    identity::MeshIdentity,
    quota::QuotaGate,
    server::ServerError,
    settings::ServiceSettings,
    shutdown::CancellationToken,
};
use std::net::SocketAddr;
use tonic::service::Routes;

/// The score service, bound and ready to serve.
pub struct Application {
    host: ServiceHost,
}

impl MeshService for Application {
    const IDENTITY: &'static str = MeshIdentity::SCORE;

    async fn build(settings: ServiceSettings) -> Result<Self, StartError> {
        let (server, db) = prepare::<store::Migrator>(&settings, api::access_policy()).await?;
        let server = with_token_verification(server, &settings)?;
        let billing = connect_lazy(&settings.peers.billing, server.tls())?;
        let model = domain::scorecard::Scorecard::default_model()
            .map_err(|e| StartError::Other(format!("default scorecard: {e}")))?;
        let api = api::ScoreApi::new(db.clone(), model, QuotaGate::new(billing.clone()));
        let routes = Routes::new(api.into_server());
        let host = ServiceHost::new(server, routes, api::SERVICE_NAMES)
            .with_job(move |stop| store::OUTBOX.run_shipper(db, billing, stop));
        Ok(Self { host })
    }

    fn local_addr(&self) -> SocketAddr {
        self.host.local_addr()
    }

    async fn run_until_stopped(self, shutdown: CancellationToken) -> Result<(), ServerError> {
        self.host.run_until_stopped(shutdown).await
    }
}
