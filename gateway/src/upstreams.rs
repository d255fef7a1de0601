//! The gateway's channels into the mesh, one per service, each over mTLS as `gateway`.

use crate::{GatewayError, GatewaySettings};
use aval_transport::{
    client::{MeshChannel, PeerAddress, connect_lazy},
    tls::MeshTls,
};
use std::time::Duration;
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};

/// How long a readiness check waits for an upstream.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Clone)]
pub struct Upstream {
    pub name: &'static str,
    pub channel: MeshChannel,
}

#[derive(Clone)]
pub struct Upstreams {
    pub auth: Upstream,
    pub score: Upstream,
    pub analysis: Upstream,
    pub billing: Upstream,
}

impl Upstreams {
    pub fn connect(settings: &GatewaySettings) -> Result<Self, GatewayError> {
        let tls = MeshTls::load(&settings.tls)?;
        let upstream = |name: &'static str, peer: &PeerAddress| -> Result<Upstream, GatewayError> {
            Ok(Upstream {
                name,
                channel: connect_lazy(peer, &tls)?,
            })
        };
        Ok(Self {
            auth: upstream("auth-service", &settings.peers.auth)?,
            score: upstream("score-service", &settings.peers.score)?,
            analysis: upstream("analysis-service", &settings.peers.analysis)?,
            billing: upstream("billing-service", &settings.peers.billing)?,
        })
    }

    pub fn all(&self) -> [&Upstream; 4] {
        [&self.auth, &self.score, &self.analysis, &self.billing]
    }
}

impl Upstream {
    /// The upstream's overall health status, `None` when it cannot be reached in time.
    pub async fn health(&self) -> Option<ServingStatus> {
        let mut client = HealthClient::new(self.channel.clone());
        let check = client.check(HealthCheckRequest::default());
        match tokio::time::timeout(HEALTH_TIMEOUT, check).await {
            Ok(Ok(response)) => Some(response.into_inner().status()),
            Ok(Err(status)) => {
                tracing::debug!(upstream = self.name, %status, "health check failed");
                None
            }
            Err(_) => None,
        }
    }
}
