//! Load generation. Closed loop: N workers, each sending its next request when the previous
//! answers (measures capacity). Open loop: requests start on a fixed schedule whatever the
//! answers do, and latency counts from the scheduled start (no coordinated omission), which is
//! the latency users see at that rate.

use hdrhistogram::Histogram;
use serde::Serialize;
use std::{
    collections::BTreeMap,
    future::Future,
    sync::Arc,
    time::{Duration, Instant},
};
use tokio::sync::Semaphore;

/// One kind of request. `call` gets a sequence number (for unique ids) and returns `Err` with a
/// short label (an HTTP status or gRPC code) on failure.
pub trait Scenario: Send + Sync + 'static {
    fn call(&self, seq: u64) -> impl Future<Output = Result<(), String>> + Send;
    /// Work items per call (events per usage batch), for throughput in items.
    fn items_per_call(&self) -> u64 {
        1
    }
}

/// What a run measured.
#[derive(Clone, Debug)]
pub struct RunResult {
    pub ok: u64,
    pub errors: BTreeMap<String, u64>,
    /// Latency in microseconds.
    pub latency: Histogram<u64>,
    pub elapsed: Duration,
}

#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub ok: u64,
    pub errors: BTreeMap<String, u64>,
    pub throughput: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
}

impl RunResult {
    pub(crate) fn new() -> Self {
        Self {
            ok: 0,
            errors: BTreeMap::new(),
            latency: new_histogram(),
            elapsed: Duration::ZERO,
        }
    }

    fn merge(&mut self, other: &Self) {
        self.ok += other.ok;
        for (k, v) in &other.errors {
            *self.errors.entry(k.clone()).or_default() += v;
        }
        // Same bounds on both sides, so adding cannot fail.
        let _ = self.latency.add(&other.latency);
    }

    fn record(&mut self, result: Result<(), String>, latency: Duration) {
        match result {
            Ok(()) => self.ok += 1,
            Err(label) => *self.errors.entry(label).or_default() += 1,
        }
        self.record_latency(latency);
    }

    /// One call's latency (at least 1 µs, at most the histogram's ceiling).
    pub(crate) fn record_latency(&mut self, latency: Duration) {
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        self.latency.saturating_record(micros.max(1));
    }

    /// Successful calls per second.
    pub fn throughput(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.ok as f64 / secs
        } else {
            0.0
        }
    }

    pub fn percentile_ms(&self, q: f64) -> f64 {
        self.latency.value_at_quantile(q) as f64 / 1000.0
    }

    pub fn summary(&self, items_per_call: u64) -> Summary {
        Summary {
            ok: self.ok,
            errors: self.errors.clone(),
            throughput: self.throughput() * items_per_call as f64,
            p50_ms: self.percentile_ms(0.50),
            p90_ms: self.percentile_ms(0.90),
            p99_ms: self.percentile_ms(0.99),
            p999_ms: self.percentile_ms(0.999),
            max_ms: self.latency.max() as f64 / 1000.0,
        }
    }
}

// 1 µs .. 60 s at 3 significant digits: constant, valid bounds, so creation cannot fail.
#[allow(clippy::expect_used)]
fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("constant histogram bounds are valid")
}

/// `concurrency` workers, each calling back to back for `duration` (after `warmup`, whose calls
/// are not counted).
pub async fn closed_loop<S: Scenario>(
    scenario: Arc<S>,
    concurrency: usize,
    warmup: Duration,
    duration: Duration,
) -> RunResult {
    let seq = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let start = Instant::now();
    let measure_from = start + warmup;
    let deadline = measure_from + duration;
    let workers = (0..concurrency.max(1)).map(|_| {
        let scenario = scenario.clone();
        let seq = seq.clone();
        tokio::spawn(async move {
            let mut result = RunResult::new();
            loop {
                let sent = Instant::now();
                if sent >= deadline {
                    break;
                }
                let n = seq.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let outcome = scenario.call(n).await;
                if sent >= measure_from {
                    result.record(outcome, sent.elapsed());
                }
            }
            result
        })
    });
    let mut total = RunResult::new();
    for result in futures_util::future::join_all(workers)
        .await
        .into_iter()
        .flatten()
    {
        total.merge(&result);
    }
    total.elapsed = duration;
    total
}

/// Starts calls at `rate` per second for `duration`; at most `max_in_flight` at once (calls
/// beyond that are counted as the error `overload`, not silently dropped).
pub async fn open_loop<S: Scenario>(
    scenario: Arc<S>,
    rate: f64,
    duration: Duration,
    max_in_flight: usize,
) -> RunResult {
    let interval = Duration::from_secs_f64(1.0 / rate.max(1.0));
    let start = Instant::now();
    let in_flight = Arc::new(Semaphore::new(max_in_flight));
    let results = Arc::new(std::sync::Mutex::new(RunResult::new()));
    let mut tasks = Vec::new();
    let mut n: u64 = 0;
    loop {
        let scheduled = start + interval.mul_f64(n as f64);
        if scheduled >= start + duration {
            break;
        }
        tokio::time::sleep_until(scheduled.into()).await;
        let Ok(permit) = in_flight.clone().try_acquire_owned() else {
            if let Ok(mut r) = results.lock() {
                *r.errors.entry("overload".to_owned()).or_default() += 1;
            }
            n += 1;
            continue;
        };
        let scenario = scenario.clone();
        let results = results.clone();
        let seq = n;
        tasks.push(tokio::spawn(async move {
            let outcome = scenario.call(seq).await;
            // From the scheduled start: a late start is latency the user would have seen.
            let latency = scheduled.elapsed();
            if let Ok(mut r) = results.lock() {
                r.record(outcome, latency);
            }
            drop(permit);
        }));
        n += 1;
    }
    futures_util::future::join_all(tasks).await;
    let mut total = results
        .lock()
        .map(|r| r.clone())
        .unwrap_or_else(|_| RunResult::new());
    total.elapsed = duration;
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Sleepy;
    impl Scenario for Sleepy {
        async fn call(&self, seq: u64) -> Result<(), String> {
            tokio::time::sleep(Duration::from_millis(2)).await;
            if seq % 10 == 9 {
                Err("503".into())
            } else {
                Ok(())
            }
        }
    }

    #[tokio::test]
    async fn the_closed_loop_counts_every_call_and_error() {
        let result = closed_loop(
            Arc::new(Sleepy),
            4,
            Duration::ZERO,
            Duration::from_millis(200),
        )
        .await;
        let total = result.ok + result.errors.values().sum::<u64>();
        assert!(total > 0);
        assert_eq!(result.latency.len(), total, "every call has a latency");
        assert!(result.errors.get("503").copied().unwrap_or(0) > 0);
        assert!(result.percentile_ms(0.5) >= 2.0);
    }

    #[tokio::test]
    async fn the_open_loop_keeps_its_schedule() {
        let result = open_loop(Arc::new(Sleepy), 200.0, Duration::from_millis(500), 1_000).await;
        let total = result.ok + result.errors.values().sum::<u64>();
        assert_eq!(total, 100, "200/s for 0.5 s");
    }
}
