//! auth-service's public keys, kept fresh by one background task so that verifying a token
//! never waits on auth-service and never holds a lock across an RPC.
//!
//! The task fetches the JWKS at start, every [`REFRESH_EVERY`] (so a retired key stops
//! verifying), and when a token names a key id it does not know: one fetch (bounded by
//! [`FETCH_TIMEOUT`]) serves every request that asked meanwhile, and fetches are at least
//! [`MIN_REFETCH_INTERVAL`] apart, backing off to [`MAX_BACKOFF`] while auth-service fails.
//! A request whose key is still unknown after that fetch is refused. Known keys keep verifying
//! while auth-service is down.

use crate::{
    client::MeshChannel,
    jwt::{self, Claims, TokenError},
};
use aval_proto::keys::v1::{GetJwksRequest, token_keys_client::TokenKeysClient};
use std::{
    collections::HashMap,
    sync::{
        Arc, RwLock, Weak,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};
use tokio::{
    sync::{Notify, watch},
    time::Instant,
};

/// Accepted clock skew between auth-service and the verifier.
const LEEWAY_SECS: i64 = 30;
/// How long one fetch may take.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(1);
/// Fetches asked for by unknown key ids are at least this far apart.
pub const MIN_REFETCH_INTERVAL: Duration = Duration::from_secs(1);
/// The longest wait between two fetches while auth-service fails.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// Known keys are fetched again after this long, so a retired key stops verifying.
pub const REFRESH_EVERY: Duration = Duration::from_secs(300);

/// Public keys of auth-service by key id.
pub struct JwksCache {
    /// Read briefly and cloned out; replaced whole after a fetch.
    keys: RwLock<Arc<Keys>>,
    /// Asks the task for a fetch.
    wake: Arc<Notify>,
    /// Whether a fetch was asked for since the last one started: many requests asking at once
    /// make one request of the task.
    asked: Arc<AtomicBool>,
    /// What the task is doing: requests wait on it for the fetch they asked for.
    schedule: watch::Receiver<Schedule>,
}

#[derive(Default)]
struct Keys {
    by_kid: HashMap<String, Vec<u8>>,
    /// Whether auth-service ever answered: until then an unknown key is auth-service's absence
    /// (`KeysUnavailable`), not the token's fault.
    fetched: bool,
}

#[derive(Clone, Copy, Debug)]
struct Schedule {
    /// Fetches finished (answered, failed or timed out).
    attempts: u64,
    fetching: bool,
    /// The earliest instant the next fetch may start.
    next_allowed: Instant,
}

impl JwksCache {
    /// The cache, and its task fetching from `auth` (it ends when the cache is dropped).
    /// Call from within a Tokio runtime.
    pub fn new(auth: MeshChannel) -> Arc<Self> {
        let (schedule_tx, schedule) = watch::channel(Schedule {
            attempts: 0,
            fetching: true,
            next_allowed: Instant::now(),
        });
        let cache = Arc::new(Self {
            keys: RwLock::new(Arc::new(Keys::default())),
            wake: Arc::new(Notify::new()),
            asked: Arc::new(AtomicBool::new(false)),
            schedule,
        });
        tokio::spawn(refresh(
            Arc::downgrade(&cache),
            (cache.wake.clone(), cache.asked.clone()),
            schedule_tx,
            TokenKeysClient::new(auth),
        ));
        cache
    }

    /// Verifies `token` and returns its claims.
    pub async fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let header = jwt::header(token)?;
        let key = match self.known(&header.kid) {
            Some(key) => key,
            None => self.after_fetch(&header.kid).await?,
        };
        jwt::verify(token, &key, chrono::Utc::now().timestamp(), LEEWAY_SECS)
    }

    fn current(&self) -> Arc<Keys> {
        match self.keys.read() {
            Ok(keys) => keys.clone(),
            // A writer panicked mid-swap of an `Arc`: the value is still whole.
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn known(&self, kid: &str) -> Option<Vec<u8>> {
        self.current().by_kid.get(kid).cloned()
    }

    /// A key id not known: waits for the fetch under way, or asks for one when one may start
    /// now, then looks again. When no fetch may start yet, answers at once.
    async fn after_fetch(&self, kid: &str) -> Result<Vec<u8>, TokenError> {
        let mut schedule = self.schedule.clone();
        let seen = *schedule.borrow_and_update();
        if seen.fetching || Instant::now() >= seen.next_allowed {
            // The fetch under way serves this request too; otherwise ask for one.
            if !seen.fetching && !self.asked.swap(true, Ordering::SeqCst) {
                self.wake.notify_one();
            }
            let fetched = schedule.wait_for(|s| s.attempts > seen.attempts);
            // The fetch is bounded; this bound only guards against a task that is gone.
            let _ = tokio::time::timeout(FETCH_TIMEOUT * 2, fetched).await;
        }
        let keys = self.current();
        match keys.by_kid.get(kid) {
            Some(key) => Ok(key.clone()),
            None if keys.fetched => Err(TokenError::UnknownKey),
            None => Err(TokenError::KeysUnavailable),
        }
    }
}

/// The one task that fetches: at start, every [`REFRESH_EVERY`] (after a failure, when its
/// backoff ends), and when asked (no sooner than the schedule allows).
async fn refresh(
    cache: Weak<JwksCache>,
    (wake, asked): (Arc<Notify>, Arc<AtomicBool>),
    schedule: watch::Sender<Schedule>,
    client: TokenKeysClient<MeshChannel>,
) {
    let mut backoff = MIN_REFETCH_INTERVAL;
    loop {
        schedule.send_modify(|s| s.fetching = true);
        asked.store(false, Ordering::SeqCst);
        let fetched =
            tokio::time::timeout(FETCH_TIMEOUT, client.clone().get_jwks(GetJwksRequest {})).await;
        let (gap, idle) = match fetched {
            Ok(Ok(response)) => {
                let by_kid: HashMap<String, Vec<u8>> = response
                    .into_inner()
                    .keys
                    .into_iter()
                    .filter(|k| k.kty == "OKP" && k.crv == "Ed25519")
                    .filter_map(|k| jwt::decode_key(&k.x).map(|x| (k.kid, x)))
                    .collect();
                tracing::debug!(keys = by_kid.len(), "fetched JWKS");
                let Some(cache) = cache.upgrade() else { return };
                let keys = Arc::new(Keys {
                    by_kid,
                    fetched: true,
                });
                match cache.keys.write() {
                    Ok(mut current) => *current = keys,
                    Err(poisoned) => *poisoned.into_inner() = keys,
                }
                backoff = MIN_REFETCH_INTERVAL;
                (MIN_REFETCH_INTERVAL, REFRESH_EVERY)
            }
            Ok(Err(status)) => {
                tracing::warn!(%status, "cannot fetch the JWKS from auth-service");
                let gap = next_backoff(&mut backoff);
                (gap, gap)
            }
            Err(_) => {
                tracing::warn!(timeout = ?FETCH_TIMEOUT, "the JWKS fetch timed out");
                let gap = next_backoff(&mut backoff);
                (gap, gap)
            }
        };
        let next_allowed = Instant::now() + gap;
        schedule.send_modify(|s| {
            s.attempts += 1;
            s.fetching = false;
            s.next_allowed = next_allowed;
        });
        if cache.strong_count() == 0 {
            return;
        }
        let asked = tokio::select! {
            () = wake.notified() => true,
            // Known keys are fetched again now and then; a failed fetch is retried.
            () = tokio::time::sleep(idle) => false,
        };
        if asked {
            tokio::time::sleep_until(next_allowed).await;
        }
        if cache.strong_count() == 0 {
            return;
        }
    }
}

/// The wait after a failed fetch: the current backoff, which doubles for the next one.
fn next_backoff(backoff: &mut Duration) -> Duration {
    let gap = *backoff;
    *backoff = (*backoff * 2).min(MAX_BACKOFF);
    gap
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_fetches_back_off_to_thirty_seconds() {
        let mut backoff = MIN_REFETCH_INTERVAL;
        let gaps: Vec<u64> = (0..7)
            .map(|_| next_backoff(&mut backoff).as_secs())
            .collect();
        assert_eq!(gaps, [1, 2, 4, 8, 16, 30, 30]);
    }
}
