//! score-service: consumer (CPF) credit scores from behavioural profiles and score models.

pub mod api;
pub mod app;
pub mod domain;
pub mod error;
pub mod store;

use aval_metering::QuotaGate;
use aval_transport::{
    client::connect_lazy,
    host::{MeshService, ServiceHost, StartError, prepare, with_token_verification},
    identity::MeshIdentity,
    settings::ServiceSettings,
};
use tonic::service::Routes;

/// The score service.
pub struct Application;

impl MeshService for Application {
    const IDENTITY: &'static str = MeshIdentity::SCORE;

    async fn build(settings: ServiceSettings) -> Result<ServiceHost, StartError> {
        let (server, db) = prepare::<store::Migrator>(&settings, api::access_policy()).await?;
        let server = with_token_verification(server, &settings)?;
        let billing = connect_lazy(&settings.peers.billing, server.tls())?;
        let model = domain::scorecard::Scorecard::default_model()
            .map_err(|e| StartError::Other(format!("default scorecard: {e}")))?;
        let app = app::ScoreApp::new(db.clone(), model, QuotaGate::new(billing.clone()));
        let api = api::ScoreApi::new(app);
        let routes = Routes::new(api.into_server());
        let (shipper, outbox) = store::OUTBOX.shipper(db, billing);
        Ok(ServiceHost::new(server, routes, api::SERVICE_NAMES)
            .with_job(move |stop| shipper.run(stop))
            .with_handle(outbox))
    }
}
