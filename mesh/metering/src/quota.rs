//! The quota check before work starts, through a short-lived cache of billing's answer so most
//! requests cost no network hop. If billing cannot answer, the last answer billing gave for the
//! tenant stands (a refused tenant stays refused); a tenant billing never refused is allowed
//! and logged: billing being down must not fail answers, and their usage is still recorded.

use crate::Product;
use aval_proto::usage::v1::{CheckQuotaRequest, QuotaRefusal, usage_client::UsageClient};
use aval_transport::client::MeshChannel;
use std::{
    collections::HashMap,
    time::{Duration, Instant},
};
use tokio::sync::Mutex;

/// How long billing's answer is trusted when it does not say.
const DEFAULT_TTL: Duration = Duration::from_secs(2);
/// How long to wait for billing before allowing anyway.
const CHECK_TIMEOUT: Duration = Duration::from_millis(500);

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuotaVerdict {
    Allowed,
    /// `reason`: `no_subscription`, `not_started`, `expired`, `exhausted`.
    Refused {
        reason: String,
    },
}

struct Cached {
    fresh_until: Instant,
    verdict: QuotaVerdict,
}

pub struct QuotaGate {
    client: UsageClient<MeshChannel>,
    cache: Mutex<HashMap<(String, Product), Cached>>,
}

fn refusal_reason(refusal: QuotaRefusal) -> &'static str {
    match refusal {
        QuotaRefusal::NoSubscription => "no_subscription",
        QuotaRefusal::NotStarted => "not_started",
        QuotaRefusal::Expired => "expired",
        QuotaRefusal::Exhausted => "exhausted",
        QuotaRefusal::Unspecified => "refused",
    }
}

impl QuotaGate {
    pub fn new(billing: MeshChannel) -> Self {
        Self {
            client: UsageClient::new(billing),
            cache: Mutex::new(HashMap::new()),
        }
    }

    pub async fn check(&self, tenant_id: &str, product: Product) -> QuotaVerdict {
        let key = (tenant_id.to_owned(), product);
        let last_known = {
            let cache = self.cache.lock().await;
            match cache.get(&key) {
                Some(cached) if cached.fresh_until > Instant::now() => {
                    return cached.verdict.clone();
                }
                Some(cached) => Some(cached.verdict.clone()),
                None => None,
            }
        };
        let request = CheckQuotaRequest {
            tenant_id: tenant_id.to_owned(),
            product: product.to_pb().into(),
        };
        let answer =
            tokio::time::timeout(CHECK_TIMEOUT, self.client.clone().check_quota(request)).await;
        match answer {
            Ok(Ok(response)) => {
                let response = response.into_inner();
                let verdict = if response.allowed {
                    QuotaVerdict::Allowed
                } else {
                    QuotaVerdict::Refused {
                        reason: refusal_reason(response.refusal()).to_owned(),
                    }
                };
                // Billing says how long its answer holds; 0 means ask again next time. The
                // verdict is kept either way: it is the last known answer if billing goes away.
                let ttl = response
                    .cache_ttl_ms
                    .map_or(DEFAULT_TTL, |ms| Duration::from_millis(u64::from(ms)));
                self.cache.lock().await.insert(
                    key,
                    Cached {
                        fresh_until: Instant::now() + ttl,
                        verdict: verdict.clone(),
                    },
                );
                verdict
            }
            Ok(Err(status)) => {
                tracing::warn!(%status, "quota check failed; keeping the last known answer");
                last_known.unwrap_or(QuotaVerdict::Allowed)
            }
            Err(_) => {
                tracing::warn!("quota check timed out; keeping the last known answer");
                last_known.unwrap_or(QuotaVerdict::Allowed)
            }
        }
    }
}
