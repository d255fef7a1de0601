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
use std::sync::Arc;
use tonic::service::Routes;

/// The score service.
pub struct Application;

impl MeshService for Application {
    const IDENTITY: &'static str = MeshIdentity::SCORE;
    type Migrator = store::Migrator;

    async fn build(settings: ServiceSettings) -> Result<ServiceHost, StartError> {
        let (server, db) = prepare::<store::Migrator>(&settings, api::access_policy()).await?;
        let server = with_token_verification(server, &settings)?;
        let billing = connect_lazy(&settings.peers.billing, server.tls())?;
        let platform = domain::registry::platform_model()
            .map_err(|e| StartError::Other(format!("the platform's default model: {e}")))?;
        let registry = Arc::new(app::registry::ModelRegistry::new(db.clone(), platform));
        let scores = app::ScoreApp::new(
            db.clone(),
            registry.clone(),
            QuotaGate::new(billing.clone()),
        );
        let profiles = Arc::new(app::profiles::ProfilesApp::new(db.clone()));
        let models = Arc::new(app::models::ModelsApp::new(db.clone()));
        let routes = Routes::new(api::ScoreApi::new(scores, profiles.clone()).into_server())
            .add_service(
                api::rights::RightsApi::new(app::rights::RightsApp::new(db.clone(), registry))
                    .into_server(),
            )
            .add_service(api::models::ModelsApi::new(models).into_server())
            .add_service(api::profiles::ProfilesApi::new(profiles).into_server());
        let (shipper, outbox) = store::OUTBOX.shipper(db, billing);
        Ok(ServiceHost::new(server, routes, api::SERVICE_NAMES)
            .with_job(move |stop| shipper.run(stop))
            .with_handle(outbox))
    }
}
