//! Channels to mesh peers: mTLS with the peer's name verified, deadlines, the trace context
//! interceptor on every call, and calls spread over every replica of the peer.
//!
//! A peer is named by one or more URLs (`https://score-service:50052`, or several separated by
//! commas). Their host names are resolved again every few seconds (on Kubernetes, a headless
//! Service answers with the address of every ready pod), each address gets its own
//! connection, and each connection watches the replica's gRPC health: calls go round-robin to
//! the replicas that say SERVING, so one that starts draining gets no new calls the moment it
//! says NOT_SERVING, and one that is down is skipped, not failed on.

mod backend;
mod balance;
mod resolve;

pub use balance::PeerChannel;

use crate::{propagation::TraceContextInterceptor, tls::MeshTls};
use std::time::Duration;
use tonic::{service::interceptor::InterceptedService, transport::Channel};

/// Every call's deadline on a [`connect_lazy`] channel, unless the caller sets a shorter one.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// A channel to a mesh peer that carries trace context on every call.
pub type MeshChannel = InterceptedService<PeerChannel, TraceContextInterceptor>;

/// Where a peer listens and the name its certificate carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerAddress {
    /// `https://host:port`, or several separated by commas (replicas without a shared name).
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

    /// Like [`PeerAddress::new`], refusing URLs the channel could not use (not `https://`,
    /// no host): why, when it does.
    pub fn parse(url: &str, server_name: &str) -> Result<Self, String> {
        resolve::Targets::parse(url)?;
        Ok(Self::new(url, server_name))
    }
}

#[derive(Debug, thiserror::Error)]
#[error("peer `{server_name}`: {reason}")]
pub struct PeerError {
    server_name: String,
    reason: String,
}

/// Connects lazily (replicas are dialled in the background, calls wait a moment for the first
/// one), so services start in any order. Needs a tokio runtime: the resolver and the health
/// watchers run as tasks, for as long as a clone of the channel lives.
pub fn connect_lazy(peer: &PeerAddress, tls: &MeshTls) -> Result<MeshChannel, PeerError> {
    connect(peer, tls, Some(CALL_TIMEOUT))
}

/// Like [`connect_lazy`], without the per-call deadline: for a long stream (a bulk import)
/// that lasts as long as its input.
pub fn connect_for_streams(peer: &PeerAddress, tls: &MeshTls) -> Result<MeshChannel, PeerError> {
    connect(peer, tls, None)
}

fn connect(
    peer: &PeerAddress,
    tls: &MeshTls,
    call_timeout: Option<Duration>,
) -> Result<MeshChannel, PeerError> {
    let targets = resolve::Targets::parse(&peer.url).map_err(|reason| PeerError {
        server_name: peer.server_name.clone(),
        reason,
    })?;
    let channel = PeerChannel::spawn(targets, peer.server_name.clone(), tls.clone(), call_timeout);
    Ok(InterceptedService::new(channel, TraceContextInterceptor))
}

/// A mesh channel over one channel the caller built, e.g. plaintext to an in-process fake in
/// tests; always used, never health-checked.
pub fn over(channel: Channel) -> MeshChannel {
    InterceptedService::new(PeerChannel::fixed(channel), TraceContextInterceptor)
}
