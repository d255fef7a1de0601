//! billing-service: plans, quotas, deduplicated usage events and consumption reports.

pub mod api;
pub mod domain;
pub mod error;
pub mod store;

use aval_mesh::{
    app::{MeshService, ServiceHost, StartError, prepare, with_token_verification},
    identity::MeshIdentity,
    server::ServerError,
    settings::ServiceSettings,
    shutdown::CancellationToken,
};
use std::net::SocketAddr;
use tonic::service::Routes;

/// The billing service, bound and ready to serve.
pub struct Application {
    host: ServiceHost,
}

impl MeshService for Application {
    const IDENTITY: &'static str = MeshIdentity::BILLING;

    async fn build(settings: ServiceSettings) -> Result<Self, StartError> {
        let (server, db) = prepare::<store::Migrator>(&settings, api::access_policy()).await?;
        let server = with_token_verification(server, &settings)?;
        let routes = Routes::new(api::BillingApi::new(db).into_server());
        Ok(Self {
            host: ServiceHost::new(server, routes, api::SERVICE_NAMES),
        })
    }

    fn local_addr(&self) -> SocketAddr {
        self.host.local_addr()
    }

    async fn run_until_stopped(self, shutdown: CancellationToken) -> Result<(), ServerError> {
        self.host.run_until_stopped(shutdown).await
    }
}
