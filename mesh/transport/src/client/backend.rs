//! One replica of a peer: its own connection, and a task that follows the replica's gRPC
//! health (`grpc.health.v1.Health/Watch`) so the balancer knows, as soon as the replica says
//! so, whether to send it calls.

use crate::tls::{MeshTls, TlsConnector};
use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};
use tokio::sync::{Notify, watch};
use tokio_util::sync::{CancellationToken, DropGuard};
use tonic::transport::{Channel, Endpoint};
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How soon a replica that could not be reached is tried again, at first and at most.
const RETRY_FIRST: Duration = Duration::from_millis(100);
const RETRY_MAX: Duration = Duration::from_secs(2);

/// What the balancer knows of a replica.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Health {
    /// Dialled, no answer yet.
    Connecting,
    Serving,
    /// Up, but starting or draining.
    NotServing,
    /// Could not be reached or the health stream broke: why.
    Unreachable(Arc<str>),
}

impl std::fmt::Display for Health {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Connecting => f.write_str("connecting"),
            Self::Serving => f.write_str("serving"),
            Self::NotServing => f.write_str("not serving"),
            Self::Unreachable(why) => write!(f, "unreachable ({why})"),
        }
    }
}

/// Told whenever a replica's health changes, and after every failed attempt to reach it
/// (even when it was unreachable already: a call may be waiting for that attempt).
pub(super) trait HealthListener: Send + Sync + 'static {
    fn health_reported(&self, addr: SocketAddr, health: &Health);
}

pub(super) struct Backend {
    pub(super) addr: SocketAddr,
    pub(super) channel: Channel,
    health: watch::Receiver<Health>,
    /// Cuts the wait before the next attempt to reach an unreachable replica short.
    retry_now: Arc<Notify>,
    /// Attempts to reach the replica that failed so far.
    failed_attempts: Arc<AtomicU64>,
    /// Stops the health task when the replica is dropped from the peer's set.
    _stop: DropGuard,
}

impl Backend {
    pub(super) fn dial(
        addr: SocketAddr,
        server_name: &str,
        tls: &MeshTls,
        call_timeout: Option<Duration>,
        listener: Arc<dyn HealthListener>,
    ) -> Result<Self, String> {
        let connector =
            TlsConnector::new(tls.clone(), addr, server_name).map_err(|e| e.to_string())?;
        // `http://`: the connector does the TLS itself, with the material current at dial time.
        let mut endpoint = Endpoint::from_shared(format!("http://{addr}"))
            .map_err(|e| e.to_string())?
            .connect_timeout(CONNECT_TIMEOUT)
            .http2_keep_alive_interval(Duration::from_secs(30));
        if let Some(timeout) = call_timeout {
            endpoint = endpoint.timeout(timeout);
        }
        let channel = endpoint.connect_with_connector_lazy(connector);
        let (report, health) = watch::channel(Health::Connecting);
        let stop = CancellationToken::new();
        let retry_now = Arc::new(Notify::new());
        let failed_attempts = Arc::new(AtomicU64::new(0));
        tokio::spawn(follow_health(
            addr,
            channel.clone(),
            Reporting {
                health: report,
                failed_attempts: failed_attempts.clone(),
                listener,
            },
            retry_now.clone(),
            stop.clone(),
        ));
        Ok(Self {
            addr,
            channel,
            health,
            retry_now,
            failed_attempts,
            _stop: stop.drop_guard(),
        })
    }

    pub(super) fn health(&self) -> Health {
        self.health.borrow().clone()
    }

    /// Whether the replica's health is one of `wanted` (no clone, no allocation).
    pub(super) fn is(&self, wanted: impl Fn(&Health) -> bool) -> bool {
        wanted(&self.health.borrow())
    }

    pub(super) fn failed_attempts(&self) -> u64 {
        self.failed_attempts.load(Ordering::Acquire)
    }

    /// Tries to reach the replica again now rather than after its backoff. Calls that find
    /// every replica down each ask (a refused dial is cheap; one Notify permit at most, so
    /// concurrent asks share an attempt).
    pub(super) fn retry_now(&self) {
        self.retry_now.notify_one();
    }
}

/// Where the health task reports to.
struct Reporting {
    health: watch::Sender<Health>,
    failed_attempts: Arc<AtomicU64>,
    listener: Arc<dyn HealthListener>,
}

/// Watches the replica's overall health until stopped; reconnects with backoff when the
/// stream breaks (the replica stopped, restarted, or was never there).
async fn follow_health(
    addr: SocketAddr,
    channel: Channel,
    reporting: Reporting,
    retry_now: Arc<Notify>,
    stop: CancellationToken,
) {
    let set = |health: Health| {
        if reporting
            .health
            .send_if_modified(|current| std::mem::replace(current, health.clone()) != health)
        {
            reporting.listener.health_reported(addr, &health);
        }
    };
    let mut retry = RETRY_FIRST;
    loop {
        let broken = tokio::select! {
            () = stop.cancelled() => return,
            broken = watch_stream(channel.clone(), &set) => broken,
        };
        if broken.1 {
            retry = RETRY_FIRST;
        }
        // Counted before the health is published: a call woken by it sees the count.
        reporting.failed_attempts.fetch_add(1, Ordering::AcqRel);
        let unreachable = Health::Unreachable(broken.0.into());
        reporting.health.send_replace(unreachable.clone());
        reporting.listener.health_reported(addr, &unreachable);
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(retry) => {}
            () = retry_now.notified() => {}
        }
        retry = (retry * 2).min(RETRY_MAX);
    }
}

/// Follows one Watch stream; returns why it ended and whether it had delivered a status.
async fn watch_stream(channel: Channel, set: &impl Fn(Health)) -> (String, bool) {
    let mut client = HealthClient::new(channel);
    let mut stream = match client.watch(HealthCheckRequest::default()).await {
        Ok(response) => response.into_inner(),
        Err(status) => return (describe(&status), false),
    };
    let mut delivered = false;
    loop {
        match stream.message().await {
            Ok(Some(answer)) => {
                delivered = true;
                set(if answer.status() == ServingStatus::Serving {
                    Health::Serving
                } else {
                    Health::NotServing
                });
            }
            Ok(None) => return ("health stream ended".to_owned(), delivered),
            Err(status) => return (describe(&status), delivered),
        }
    }
}

/// The status's message and, when it says something more, the error at the root of it (the
/// TLS alert, the refused connection).
fn describe(status: &tonic::Status) -> String {
    let mut root: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(status);
    while let Some(cause) = root.and_then(std::error::Error::source) {
        root = Some(cause);
    }
    let message = status.message();
    match root.map(ToString::to_string) {
        Some(cause) if !message.contains(&cause) => format!("{message}: {cause}"),
        _ => message.to_owned(),
    }
}
