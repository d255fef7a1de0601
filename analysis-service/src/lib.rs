//! analysis-service: credit proposals (a company's or a person's), decided by policy and kept
//! for audit; those whose partners' scores were unavailable wait, and are decided when they
//! arrive.

pub mod api;
pub mod app;
pub mod domain;
pub mod error;
pub mod peers;
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

/// The analysis service.
pub struct Application;

impl MeshService for Application {
    const IDENTITY: &'static str = MeshIdentity::ANALYSIS;
    type Migrator = store::Migrator;

    async fn build(settings: ServiceSettings) -> Result<ServiceHost, StartError> {
        let (server, db) = prepare::<store::Migrator>(&settings, api::access_policy()).await?;
        store::analyses::adopt_earlier(&db)
            .await
            .map_err(|e| StartError::Other(format!("adopting earlier analyses: {e}")))?;
        let server = with_token_verification(server, &settings)?;
        let billing = connect_lazy(&settings.peers.billing, server.tls())?;
        let score = connect_lazy(&settings.peers.score, server.tls())?;
        let policies = Arc::new(
            app::PolicyRegistry::new(db.clone())
                .map_err(|e| StartError::Other(format!("default analysis policy: {e}")))?,
        );
        let scores = peers::ScoreClient::new(score);
        let app = app::AnalysisApp::new(
            db.clone(),
            policies.clone(),
            QuotaGate::new(billing.clone()),
            scores.clone(),
        );
        let waiting_room = app::WaitingRoom::new(db.clone(), policies.clone(), scores);
        let routes = Routes::new(api::AnalysisApi::new(app).into_server())
            .add_service(api::policies::PoliciesApi::new(policies).into_server());
        let (shipper, outbox) = store::OUTBOX.shipper(db, billing);
        Ok(ServiceHost::new(server, routes, api::SERVICE_NAMES)
            .with_job(move |stop| shipper.run(stop))
            .with_job(move |stop| waiting_room.run(stop))
            .with_handle(outbox))
    }
}
