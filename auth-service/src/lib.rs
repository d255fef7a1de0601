//! auth-service: tenants, OAuth2 clients, API keys, and the signed tokens every other service
//! verifies.

pub mod api;
pub mod app;
pub mod domain;
pub mod error;
pub mod store;

use aval_transport::{
    host::{MeshService, ServiceHost, StartError, prepare},
    identity::MeshIdentity,
    settings::ServiceSettings,
};
use tonic::service::Routes;

/// The auth service.
pub struct Application;

impl MeshService for Application {
    const IDENTITY: &'static str = MeshIdentity::AUTH;
    type Migrator = store::Migrator;

    async fn build(settings: ServiceSettings) -> Result<ServiceHost, StartError> {
        let (server, db) = prepare::<store::Migrator>(&settings, api::access_policy()).await?;
        let hash_key = load_hash_key(&settings.data_dir)?;
        let app = app::AuthApp::start(db, hash_key)
            .await
            .map_err(|e| StartError::Other(e.to_string()))?;
        let api = api::AuthApi::new(app);
        let routes = Routes::new(api.clone().into_server()).add_service(api.into_keys_server());
        Ok(ServiceHost::new(server, routes, api::SERVICE_NAMES))
    }
}

/// The client-secret hash key lives in `<data_dir>/secrets/auth-hash-key`, outside the database
/// (on Kubernetes, mount a Secret there). Created with 32 random bytes on first start.
pub fn load_hash_key(data_dir: &std::path::Path) -> Result<domain::secrets::HashKey, StartError> {
    let path = data_dir.join("secrets").join("auth-hash-key");
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let bytes = domain::secrets::HashKey::generate_bytes()
                .map_err(|_| StartError::Other("no randomness for the hash key".into()))?;
            aval_transport::secret_file::write_private(&path, &bytes)
                .map_err(|e| StartError::Other(format!("cannot write {}: {e}", path.display())))?;
            bytes
        }
        Err(e) => {
            return Err(StartError::Other(format!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
    };
    if bytes.len() < 32 {
        return Err(StartError::Other(format!(
            "{} must hold at least 32 bytes",
            path.display()
        )));
    }
    Ok(domain::secrets::HashKey::from_bytes(&bytes))
}
