//! billing-service: plans, quotas, deduplicated usage events and consumption reports.

pub mod api;
pub mod app;
pub mod domain;
pub mod error;
pub mod store;

use aval_transport::{
    host::{MeshService, ServiceHost, StartError, prepare, with_token_verification},
    identity::MeshIdentity,
    settings::ServiceSettings,
};
use tonic::service::Routes;

/// The billing service.
pub struct Application;

impl MeshService for Application {
    const IDENTITY: &'static str = MeshIdentity::BILLING;
    type Migrator = store::Migrator;

    async fn build(settings: ServiceSettings) -> Result<ServiceHost, StartError> {
        let (server, db) = prepare::<store::Migrator>(&settings, api::access_policy()).await?;
        let server = with_token_verification(server, &settings)?;
        let api = api::BillingApi::new(app::BillingApp::new(db, settings.quota_cache_ttl));
        let routes = Routes::new(api.clone().into_server()).add_service(api.into_usage_server());
        Ok(ServiceHost::new(server, routes, api::SERVICE_NAMES))
    }
}
