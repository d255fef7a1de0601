//! The peer channel: calls go round-robin to the replicas that report SERVING.

use super::{
    backend::{Backend, Health, HealthListener},
    resolve::Targets,
};
use crate::tls::MeshTls;
use futures_util::future::BoxFuture;
use std::{
    collections::BTreeSet,
    fmt,
    net::SocketAddr,
    sync::{
        Arc, RwLock,
        atomic::{AtomicUsize, Ordering},
    },
    task::{Context, Poll},
    time::Duration,
};
use tokio::sync::{Notify, watch};
use tokio_util::sync::{CancellationToken, DropGuard};
use tonic::{body::Body, transport::Channel};
use tower::ServiceExt;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

const HEALTH_PATH: &str = "/grpc.health.v1.Health/";

/// Which replicas a call may go to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Accept {
    Serving,
    /// SERVING or NOT_SERVING: any replica that answers.
    Reachable,
}

/// How often the peer's names are looked up again, at most (sooner when a replica is lost).
const RESOLVE_EVERY: Duration = Duration::from_secs(5);
/// Lookups triggered by a lost replica are at least this far apart.
const RESOLVE_AGAIN_AFTER: Duration = Duration::from_millis(500);
/// How long a call waits for a replica that is still connecting or starting. When every
/// replica is known to be unreachable, the call asks them to try again now and waits only for
/// that one attempt: a peer that refuses connections costs its callers a refused dial, not a
/// wait, and a peer that just came back is used at once.
const WAIT_FOR_READY: Duration = Duration::from_secs(3);

/// A cheap, cloneable channel to every replica of one mesh peer (see the module docs of
/// [`crate::client`]).
#[derive(Clone)]
pub struct PeerChannel {
    route: Arc<Route>,
}

enum Route {
    /// One channel the caller built.
    Fixed(Channel),
    /// The replicas a resolver task keeps up to date; `_stop` stops it with the last clone.
    Balanced { pool: Arc<Pool>, _stop: DropGuard },
}

impl PeerChannel {
    pub(super) fn spawn(
        targets: Targets,
        server_name: String,
        tls: MeshTls,
        call_timeout: Option<Duration>,
    ) -> Self {
        let pool = Arc::new(Pool {
            server_name,
            call_timeout,
            replicas: RwLock::new(Replicas::default()),
            next: AtomicUsize::new(0),
            changed: watch::Sender::new(0),
            resolve_now: Notify::new(),
        });
        let stop = CancellationToken::new();
        tokio::spawn(resolve_forever(pool.clone(), targets, tls, stop.clone()));
        Self {
            route: Arc::new(Route::Balanced {
                pool,
                _stop: stop.drop_guard(),
            }),
        }
    }

    pub(super) fn fixed(channel: Channel) -> Self {
        Self {
            route: Arc::new(Route::Fixed(channel)),
        }
    }

    /// Each replica's address and what the channel knows of its health, e.g. for a
    /// readiness page or a test.
    pub fn replicas(&self) -> Vec<(SocketAddr, String)> {
        match &*self.route {
            Route::Fixed(_) => Vec::new(),
            Route::Balanced { pool, .. } => pool
                .snapshot()
                .backends
                .iter()
                .map(|b| (b.addr, b.health().to_string()))
                .collect(),
        }
    }
}

impl fmt::Debug for PeerChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.route {
            Route::Fixed(_) => f.write_str("PeerChannel(fixed)"),
            Route::Balanced { pool, .. } => write!(f, "PeerChannel({})", pool.server_name),
        }
    }
}

impl tower_service::Service<http::Request<Body>> for PeerChannel {
    type Response = http::Response<Body>;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<Self::Response, BoxError>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        // Readiness is per replica, decided in `call`.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let route = self.route.clone();
        // A health call asks about the replica itself, so a starting or draining one answers
        // it too (with NOT_SERVING); every other call goes to SERVING replicas only.
        let accept = if request.uri().path().starts_with(HEALTH_PATH) {
            Accept::Reachable
        } else {
            Accept::Serving
        };
        Box::pin(async move {
            let channel = match &*route {
                Route::Fixed(channel) => channel.clone(),
                Route::Balanced { pool, .. } => pool
                    .ready_channel(accept)
                    .await
                    // Boxed as itself, so tonic finds the Status (and its code) again.
                    .map_err(|status| -> BoxError { Box::new(status) })?,
            };
            Ok(channel.oneshot(request).await?)
        })
    }
}

/// The replicas of one peer, as last resolved.
#[derive(Clone, Default)]
struct Replicas {
    /// False until the first lookup finished: calls wait for it.
    resolved: bool,
    backends: Arc<Vec<Arc<Backend>>>,
    /// Why the last lookup failed, if it did.
    lookup_error: Option<String>,
}

struct Pool {
    server_name: String,
    call_timeout: Option<Duration>,
    replicas: RwLock<Replicas>,
    next: AtomicUsize,
    /// Bumped on every change of the set or of a replica's health, to wake waiting calls.
    changed: watch::Sender<u64>,
    /// Asks the resolver to look the names up now (a replica was lost).
    resolve_now: Notify,
}

enum Pick {
    Ready(Channel),
    /// Nothing ready, but a replica may be soon.
    Wait,
    /// Nothing ready, and nothing is expected to be: why.
    Unavailable(String),
}

impl Pool {
    fn snapshot(&self) -> Replicas {
        match self.replicas.read() {
            Ok(replicas) => replicas.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn pick(&self, accept: Accept) -> Pick {
        let replicas = self.snapshot();
        let serving: Vec<&Arc<Backend>> = replicas
            .backends
            .iter()
            .filter(|b| match b.health() {
                Health::Serving => true,
                Health::NotServing => accept == Accept::Reachable,
                Health::Connecting | Health::Unreachable(_) => false,
            })
            .collect();
        if !serving.is_empty() {
            let turn = self.next.fetch_add(1, Ordering::Relaxed) % serving.len();
            return Pick::Ready(serving[turn].channel.clone());
        }
        let may_come_up = !replicas.resolved
            || replicas
                .backends
                .iter()
                .any(|b| matches!(b.health(), Health::Connecting | Health::NotServing));
        if may_come_up {
            return Pick::Wait;
        }
        let why = if replicas.backends.is_empty() {
            replicas
                .lookup_error
                .unwrap_or_else(|| "the name resolves to no address".to_owned())
        } else {
            replicas
                .backends
                .iter()
                .map(|b| format!("{}: {}", b.addr, b.health()))
                .collect::<Vec<_>>()
                .join("; ")
        };
        Pick::Unavailable(why)
    }

    /// A channel to a SERVING replica, waiting a little for one that is coming up.
    async fn ready_channel(&self, accept: Accept) -> Result<Channel, tonic::Status> {
        let mut changes = self.changed.subscribe();
        let deadline = tokio::time::Instant::now() + WAIT_FOR_READY;
        let mut retried = false;
        loop {
            match self.pick(accept) {
                Pick::Ready(channel) => return Ok(channel),
                Pick::Unavailable(why) => {
                    let backends = self.snapshot().backends;
                    if retried || backends.is_empty() {
                        return Err(tonic::Status::unavailable(format!(
                            "no replica of {} can take calls ({why})",
                            self.server_name
                        )));
                    }
                    retried = true;
                    for backend in backends.iter() {
                        backend.retry_now();
                    }
                }
                Pick::Wait => {}
            }
            if tokio::time::timeout_at(deadline, changes.changed())
                .await
                .is_err()
            {
                return Err(tonic::Status::unavailable(format!(
                    "no replica of {} became ready within {} s",
                    self.server_name,
                    WAIT_FOR_READY.as_secs()
                )));
            }
        }
    }

    /// Makes the set match `addresses`: replicas still there keep their connection, new
    /// ones are dialled, gone ones dropped (their health task stops).
    fn update(self: &Arc<Self>, addresses: &BTreeSet<SocketAddr>, tls: &MeshTls) {
        let current = self.snapshot();
        let same = current.resolved
            && current.backends.len() == addresses.len()
            && current.backends.iter().all(|b| addresses.contains(&b.addr));
        if same {
            return;
        }
        let mut backends = Vec::with_capacity(addresses.len());
        for addr in addresses {
            if let Some(kept) = current.backends.iter().find(|b| b.addr == *addr) {
                backends.push(kept.clone());
                continue;
            }
            let listener: Arc<dyn HealthListener> = self.clone();
            match Backend::dial(*addr, &self.server_name, tls, self.call_timeout, listener) {
                Ok(backend) => backends.push(Arc::new(backend)),
                Err(e) => {
                    tracing::warn!(peer = %self.server_name, %addr, error = %e, "cannot dial replica")
                }
            }
        }
        tracing::info!(
            peer = %self.server_name,
            replicas = ?addresses,
            "peer replicas changed"
        );
        self.store(Replicas {
            resolved: true,
            backends: Arc::new(backends),
            lookup_error: None,
        });
    }

    fn lookup_failed(&self, error: String) {
        let mut replicas = self.snapshot();
        replicas.resolved = true;
        replicas.lookup_error = Some(error);
        self.store(replicas);
    }

    fn store(&self, replicas: Replicas) {
        match self.replicas.write() {
            Ok(mut current) => *current = replicas,
            Err(poisoned) => *poisoned.into_inner() = replicas,
        }
        self.changed.send_modify(|n| *n += 1);
    }
}

impl HealthListener for Pool {
    fn health_changed(&self, addr: SocketAddr, health: &Health) {
        tracing::debug!(peer = %self.server_name, %addr, ?health, "replica health");
        if matches!(health, Health::Unreachable(_) | Health::NotServing) {
            // It may be gone for good (a pod replaced): look for its successor now.
            self.resolve_now.notify_one();
        }
        self.changed.send_modify(|n| *n += 1);
    }

    fn attempt_failed(&self, _addr: SocketAddr) {
        self.changed.send_modify(|n| *n += 1);
    }
}

/// Keeps the pool's replicas matching what the peer's names resolve to, until stopped.
async fn resolve_forever(pool: Arc<Pool>, targets: Targets, tls: MeshTls, stop: CancellationToken) {
    loop {
        match targets.resolve().await {
            Ok(addresses) => pool.update(&addresses, &tls),
            Err(e) => {
                tracing::warn!(peer = %pool.server_name, error = %e, "cannot resolve peer; keeping its replicas");
                pool.lookup_failed(e);
            }
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(RESOLVE_EVERY) => {}
            () = pool.resolve_now.notified() => {
                tokio::select! {
                    () = stop.cancelled() => return,
                    () = tokio::time::sleep(RESOLVE_AGAIN_AFTER) => {}
                }
            }
        }
    }
}
