//! Operator calls into the mesh (as the `operator` identity): tenants, clients, plans, profiles.
//! Used by `aval dev` to seed demo data and by tests to set up tenants.

use aval_proto::{
    auth::v1::{
        CreateClientRequest, CreateTenantRequest, RotateClientSecretRequest,
        auth_service_client::AuthServiceClient,
    },
    billing::v1::{SubscribeRequest, billing_service_client::BillingServiceClient},
    score::v1::{ConsumerProfile, UpsertProfilesRequest, score_service_client::ScoreServiceClient},
};
use aval_transport::{
    client::{MeshChannel, PeerAddress, connect_lazy},
    tls::{CertPaths, MeshTls},
};
use tonic::Code;

/// Every scope a client can hold.
pub const ALL_SCOPES: [&str; 9] = [
    "score:read",
    "score:write",
    "score:review",
    "analysis:write",
    "analysis:read",
    "analysis:review",
    "usage:read",
    "consumer:rights",
    "consumer:reviews",
];

/// An OAuth2 client's credentials, as handed out once.
#[derive(Clone, Debug)]
pub struct ClientCredentials {
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret: String,
}

pub struct MeshAdmin {
    auth: AuthServiceClient<MeshChannel>,
    billing: BillingServiceClient<MeshChannel>,
    score: ScoreServiceClient<MeshChannel>,
}

impl MeshAdmin {
    pub fn connect(
        operator: &CertPaths,
        auth: &PeerAddress,
        billing: &PeerAddress,
        score: &PeerAddress,
    ) -> anyhow::Result<Self> {
        let tls = MeshTls::load(operator)?;
        Ok(Self {
            auth: AuthServiceClient::new(connect_lazy(auth, &tls)?),
            billing: BillingServiceClient::new(connect_lazy(billing, &tls)?),
            score: ScoreServiceClient::new(connect_lazy(score, &tls)?),
        })
    }

    /// Creates the tenant unless it exists.
    pub async fn ensure_tenant(&mut self, id: &str, name: &str) -> anyhow::Result<()> {
        let created = self
            .auth
            .create_tenant(CreateTenantRequest {
                id: id.to_owned(),
                name: name.to_owned(),
            })
            .await;
        match created {
            Ok(_) => Ok(()),
            Err(status) if status.code() == Code::AlreadyExists => Ok(()),
            Err(status) => Err(status.into()),
        }
    }

    /// Creates the client, or gives an existing one a new secret (only hashes are stored, so
    /// an old secret cannot be shown again).
    pub async fn client_with_new_secret(
        &mut self,
        tenant_id: &str,
        client_id: &str,
        scopes: &[&str],
    ) -> anyhow::Result<ClientCredentials> {
        let created = self
            .auth
            .create_client(CreateClientRequest {
                tenant_id: tenant_id.to_owned(),
                name: client_id.to_owned(),
                scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
                client_id: client_id.to_owned(),
            })
            .await;
        let answer = match created {
            Ok(answer) => answer.into_inner(),
            Err(status) if status.code() == Code::AlreadyExists => self
                .auth
                .rotate_client_secret(RotateClientSecretRequest {
                    client_id: client_id.to_owned(),
                })
                .await?
                .into_inner(),
            Err(status) => return Err(status.into()),
        };
        Ok(ClientCredentials {
            tenant_id: tenant_id.to_owned(),
            client_id: answer.client_id,
            client_secret: answer.client_secret,
        })
    }

    /// Puts the tenant on `plan_id` from now, or from `starts_at`.
    pub async fn subscribe(
        &mut self,
        tenant_id: &str,
        plan_id: &str,
        starts_at: Option<prost_types::Timestamp>,
    ) -> anyhow::Result<()> {
        self.billing
            .subscribe(SubscribeRequest {
                tenant_id: tenant_id.to_owned(),
                plan_id: plan_id.to_owned(),
                starts_at,
            })
            .await?;
        Ok(())
    }

    /// Loads profiles, the platform's shared ones when `tenant_id` is `None`.
    pub async fn upsert_profiles(
        &mut self,
        tenant_id: Option<&str>,
        profiles: Vec<ConsumerProfile>,
    ) -> anyhow::Result<()> {
        self.score
            .upsert_profiles(UpsertProfilesRequest {
                profiles,
                shared: tenant_id.is_none(),
                tenant_id: tenant_id.unwrap_or_default().to_owned(),
            })
            .await?;
        Ok(())
    }
}
