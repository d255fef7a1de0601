//! The quota check before work starts, through a short-lived cache of billing's answer so most
//! requests cost no network hop. If billing cannot answer, the last answer billing gave for the
//! tenant stands (a refused tenant stays refused); a tenant billing never refused is allowed
//! and logged: billing being down must not fail answers, and their usage is still recorded.

use crate::client::MeshChannel;
use aval_proto::billing::v1::{
    CheckQuotaRequest, Product, billing_service_client::BillingServiceClient,
};
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
    /// `reason`: `no_subscription`, `expired`, `exhausted`, …
    Refused {
        reason: String,
    },
}

pub struct QuotaGate {
    client: BillingServiceClient<MeshChannel>,
    cache: Mutex<HashMap<(String, i32), (Instant, QuotaVerdict)>>,
}

impl QuotaGate {
    pub fn new(billing: MeshChannel) -> Self {
        Self {
            client: BillingServiceClient::new(billing),
            cache: Mutex::new(HashMap::new()),
        }
    }

    pub async fn check(&self, tenant_id: &str, product: Product) -> QuotaVerdict {
        let key = (tenant_id.to_owned(), i32::from(product));
        let cached = self.cache.lock().await.get(&key).cloned();
        if let Some((expires, verdict)) = &cached
            && *expires > Instant::now()
        {
            return verdict.clone();
        }
        let last_known = cached.map(|(_, verdict)| verdict);
        let request = CheckQuotaRequest {
            tenant_id: tenant_id.to_owned(),
            product: product.into(),
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
                        reason: response.reason,
                    }
                };
                let ttl = u64::try_from(response.cache_ttl_ms)
                    .ok()
                    .filter(|ms| *ms > 0)
                    .map_or(DEFAULT_TTL, Duration::from_millis);
                self.cache
                    .lock()
                    .await
                    .insert(key, (Instant::now() + ttl, verdict.clone()));
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
