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
        Arc, RwLock, Weak,
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
        // The caller's deadline bounds the wait for a replica too.
        let deadline = grpc_timeout(request.headers());
        Box::pin(async move {
            let channel = match &*route {
                Route::Fixed(channel) => channel.clone(),
                Route::Balanced { pool, .. } => pool
                    .ready_channel(deadline)
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
    /// Every replica is unreachable.
    Unavailable,
}

impl Pool {
    fn snapshot(&self) -> Replicas {
        match self.replicas.read() {
            Ok(replicas) => replicas.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// A SERVING replica, round-robin; else one that is draining (NOT_SERVING still serves
    /// until it has drained: with one replica, that is all there is during its restart).
    fn pick(&self) -> Pick {
        let replicas = match self.replicas.read() {
            Ok(replicas) => replicas,
            Err(poisoned) => poisoned.into_inner(),
        };
        let backends = &replicas.backends;
        for wanted in [Health::Serving, Health::NotServing] {
            let count = backends.iter().filter(|b| b.is(|h| *h == wanted)).count();
            if count > 0 {
                let turn = self.next.fetch_add(1, Ordering::Relaxed) % count;
                if let Some(chosen) = backends.iter().filter(|b| b.is(|h| *h == wanted)).nth(turn) {
                    return Pick::Ready(chosen.channel.clone());
                }
            }
        }
        if !replicas.resolved || backends.iter().any(|b| b.is(|h| *h == Health::Connecting)) {
            return Pick::Wait;
        }
        Pick::Unavailable
    }

    /// Why no replica can take a call, for the error.
    fn why_unavailable(&self) -> String {
        let replicas = self.snapshot();
        if replicas.backends.is_empty() {
            return replicas
                .lookup_error
                .unwrap_or_else(|| "the name resolves to no address".to_owned());
        }
        replicas
            .backends
            .iter()
            .map(|b| format!("{}: {}", b.addr, b.health()))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// A channel to a replica that can take the call, waiting a little for one that is
    /// coming up; when every replica is unreachable, waiting only for one new attempt to
    /// reach each (see [`WAIT_FOR_READY`]).
    async fn ready_channel(&self, deadline: Option<Duration>) -> Result<Channel, tonic::Status> {
        if let Pick::Ready(channel) = self.pick() {
            return Ok(channel);
        }
        let mut changes = self.changed.subscribe();
        let wait = deadline.map_or(WAIT_FOR_READY, |d| d.min(WAIT_FOR_READY));
        let deadline = tokio::time::Instant::now() + wait;
        // The replicas this call asked to try again, with their failed attempts at that time.
        let mut kicked: Option<Vec<(Arc<Backend>, u64)>> = None;
        loop {
            match self.pick() {
                Pick::Ready(channel) => return Ok(channel),
                Pick::Wait => {}
                Pick::Unavailable => {
                    let backends = self.snapshot().backends;
                    if backends.is_empty() {
                        self.resolve_now.notify_one();
                        return Err(self.unavailable());
                    }
                    match &kicked {
                        None => {
                            let asked = backends
                                .iter()
                                .map(|b| (b.clone(), b.failed_attempts()))
                                .collect();
                            for backend in backends.iter() {
                                backend.retry_now();
                            }
                            kicked = Some(asked);
                        }
                        Some(asked) => {
                            if asked
                                .iter()
                                .all(|(b, before)| b.failed_attempts() > *before)
                            {
                                return Err(self.unavailable());
                            }
                        }
                    }
                }
            }
            if tokio::time::timeout_at(deadline, changes.changed())
                .await
                .is_err()
            {
                return Err(tonic::Status::unavailable(format!(
                    "no replica of {} became ready within {} ms ({})",
                    self.server_name,
                    wait.as_millis(),
                    self.why_unavailable()
                )));
            }
        }
    }

    fn unavailable(&self) -> tonic::Status {
        tonic::Status::unavailable(format!(
            "no replica of {} can take calls ({})",
            self.server_name,
            self.why_unavailable()
        ))
    }

    /// Makes the set match `addresses`: replicas still there keep their connection, new
    /// ones are dialled, gone ones dropped (their health task stops).
    fn update(self: &Arc<Self>, addresses: &BTreeSet<SocketAddr>, tls: &MeshTls) {
        let current = self.snapshot();
        let same = current.resolved
            && current.backends.len() == addresses.len()
            && current.backends.iter().all(|b| addresses.contains(&b.addr));
        if same {
            if current.lookup_error.is_some() {
                self.store(Replicas {
                    lookup_error: None,
                    ..current
                });
            }
            return;
        }
        let mut backends = Vec::with_capacity(addresses.len());
        for addr in addresses {
            if let Some(kept) = current.backends.iter().find(|b| b.addr == *addr) {
                backends.push(kept.clone());
                continue;
            }
            // Weak: the backends' tasks must not keep the pool (and so themselves) alive.
            let listener: Arc<dyn HealthListener> = Arc::new(PoolSignals(Arc::downgrade(self)));
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

/// What a backend's task may tell the pool, without keeping it alive.
struct PoolSignals(Weak<Pool>);

impl HealthListener for PoolSignals {
    fn health_reported(&self, addr: SocketAddr, health: &Health) {
        let Some(pool) = self.0.upgrade() else { return };
        tracing::debug!(peer = %pool.server_name, %addr, ?health, "replica health");
        if matches!(health, Health::Unreachable(_) | Health::NotServing) {
            // It may be gone for good (a pod replaced): look for its successor now.
            pool.resolve_now.notify_one();
        }
        pool.changed.send_modify(|n| *n += 1);
    }
}

/// Keeps the pool's replicas matching what the peer's names resolve to, until stopped.
async fn resolve_forever(pool: Arc<Pool>, targets: Targets, tls: MeshTls, stop: CancellationToken) {
    let mut last = Vec::new();
    loop {
        let resolved = tokio::select! {
            () = stop.cancelled() => return,
            resolved = targets.resolve(&mut last) => resolved,
        };
        match resolved {
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

/// The call's `grpc-timeout` header (`<digits><H|M|S|m|u|n>`), if it has a valid one.
fn grpc_timeout(headers: &http::HeaderMap) -> Option<Duration> {
    let value = headers.get("grpc-timeout")?.to_str().ok()?;
    let (digits, unit) = value.split_at(value.len().checked_sub(1)?);
    let amount: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(amount.saturating_mul(3600)),
        "M" => Duration::from_secs(amount.saturating_mul(60)),
        "S" => Duration::from_secs(amount),
        "m" => Duration::from_millis(amount),
        "u" => Duration::from_micros(amount),
        "n" => Duration::from_nanos(amount),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::grpc_timeout;
    use std::time::Duration;

    #[test]
    fn grpc_timeouts_are_read_as_the_spec_writes_them() {
        let read = |value: &str| {
            let mut headers = http::HeaderMap::new();
            headers.insert("grpc-timeout", http::HeaderValue::from_str(value).ok()?);
            grpc_timeout(&headers)
        };
        assert_eq!(read("100m"), Some(Duration::from_millis(100)));
        assert_eq!(read("2S"), Some(Duration::from_secs(2)));
        assert_eq!(read("1H"), Some(Duration::from_secs(3600)));
        assert_eq!(read("5x"), None);
        assert_eq!(read("m"), None);
        assert_eq!(grpc_timeout(&http::HeaderMap::new()), None);
    }
}
