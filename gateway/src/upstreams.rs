//! The gateway's channels into the mesh, one per service, each over mTLS as `gateway`.

use crate::{GatewayError, GatewaySettings};
use aval_transport::{
    client::{MeshChannel, connect_lazy},
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
        tls.spawn_reloader(settings.cert_reload);
        let peers = &settings.peers;
        Ok(Self::from_channels(
            connect_lazy(&peers.auth, &tls)?,
            connect_lazy(&peers.score, &tls)?,
            connect_lazy(&peers.analysis, &tls)?,
            connect_lazy(&peers.billing, &tls)?,
        ))
    }

    /// Upstreams over channels the caller built: mTLS ones from [`Upstreams::connect`], or
    /// plaintext ones to in-process fakes in tests.
    pub fn from_channels(
        auth: MeshChannel,
        score: MeshChannel,
        analysis: MeshChannel,
        billing: MeshChannel,
    ) -> Self {
        let upstream = |name, channel| Upstream { name, channel };
        Self {
            auth: upstream("auth-service", auth),
            score: upstream("score-service", score),
            analysis: upstream("analysis-service", analysis),
            billing: upstream("billing-service", billing),
        }
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
