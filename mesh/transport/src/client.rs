//! Channels to mesh peers: mTLS with the peer's name verified, deadlines, and the trace context
//! interceptor on every call.

use crate::{propagation::TraceContextInterceptor, tls::MeshTls};
use std::time::Duration;
use tonic::{
    service::interceptor::InterceptedService,
    transport::{Channel, Endpoint},
};

/// A channel to a mesh peer that carries trace context on every call.
pub type MeshChannel = InterceptedService<Channel, TraceContextInterceptor>;

/// Where a peer listens and the name its certificate carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerAddress {
    /// `https://host:port`.
    pub url: String,
    /// The DNS name checked against the peer's certificate, e.g. `score-service`.
    pub server_name: String,
}

impl PeerAddress {
    pub fn new(url: impl Into<String>, server_name: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            server_name: server_name.into(),
        }
    }
}

/// Connects lazily (the first call dials), so services start in any order.
pub fn connect_lazy(
    peer: &PeerAddress,
    tls: &MeshTls,
) -> Result<MeshChannel, tonic::transport::Error> {
    let channel = Endpoint::from_shared(peer.url.clone())?
        .tls_config(tls.client_config(&peer.server_name))?
        .connect_timeout(Duration::from_secs(3))
        .timeout(Duration::from_secs(30))
        .tcp_nodelay(true)
        .http2_keep_alive_interval(Duration::from_secs(30))
        .connect_lazy();
    Ok(InterceptedService::new(channel, TraceContextInterceptor))
}
