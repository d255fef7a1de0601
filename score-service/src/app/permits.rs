//! A cap on one tenant's concurrent calls of a costly use case, so that one tenant's burst
//! waits for itself instead of starving the others.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub struct TenantPermits {
    per_tenant: usize,
    semaphores: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl TenantPermits {
    pub fn new(per_tenant: usize) -> Self {
        Self {
            per_tenant,
            semaphores: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for one of `tenant_id`'s permits; the call runs while the permit is held.
    pub async fn acquire(&self, tenant_id: &str) -> Option<OwnedSemaphorePermit> {
        let semaphore = {
            let mut semaphores = match self.semaphores.lock() {
                Ok(semaphores) => semaphores,
                Err(poisoned) => poisoned.into_inner(),
            };
            semaphores
                .entry(tenant_id.to_owned())
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_tenant)))
                .clone()
        };
        // Never closed: `None` cannot happen, and would only mean running uncapped.
        semaphore.acquire_owned().await.ok()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_tenant_at_its_cap_waits_while_others_run() {
        let permits = TenantPermits::new(2);
        let first = permits.acquire("busy").await.unwrap();
        let _second = permits.acquire("busy").await.unwrap();
        let third = tokio::time::timeout(Duration::from_millis(50), permits.acquire("busy")).await;
        assert!(third.is_err(), "the busy tenant's third call waits");
        let other = tokio::time::timeout(Duration::from_millis(50), permits.acquire("quiet")).await;
        assert!(other.is_ok(), "another tenant is not held up");
        drop(first);
        let third = tokio::time::timeout(Duration::from_secs(5), permits.acquire("busy")).await;
        assert!(third.is_ok(), "a released permit lets the next call run");
    }
}
