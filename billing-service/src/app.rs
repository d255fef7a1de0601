//! billing-service's use cases: record usage, answer quota checks, report consumption, put a
//! tenant on a plan. Each takes and returns domain types; `api` only converts.

use crate::{
    domain::{
        quota::{self, QuotaAnswer, Refusal, Subscription},
        usage::{Product, ReportPeriod, ReportRow, UsageEvent},
    },
    error::BillingError,
    store,
};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use std::time::Duration;

pub struct BillingApp {
    db: DatabaseConnection,
    /// How long callers may reuse a quota answer.
    quota_cache_ttl: Duration,
}

/// What a batch of usage events changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recorded {
    /// Events newly recorded.
    pub recorded: u64,
    /// Events already known (retries), not counted again.
    pub duplicates: u64,
}

impl BillingApp {
    pub fn new(db: DatabaseConnection, quota_cache_ttl: Duration) -> Self {
        Self {
            db,
            quota_cache_ttl,
        }
    }

    /// Records a batch in one transaction; an event id already recorded counts once.
    pub async fn record_usage(&self, events: &[UsageEvent]) -> Result<Recorded, BillingError> {
        let recorded = store::usage_events::record(&self.db, events).await?;
        let total = u64::try_from(events.len()).unwrap_or(u64::MAX);
        Ok(Recorded {
            recorded,
            duplicates: total.saturating_sub(recorded),
        })
    }

    /// Whether `tenant_id` may receive one more answer now, and for how long callers may reuse
    /// the verdict.
    pub async fn check_quota(
        &self,
        tenant_id: &str,
        _product: Product,
        now: DateTime<Utc>,
    ) -> Result<QuotaAnswer, BillingError> {
        let refused = |refusal| QuotaAnswer {
            verdict: Err(refusal),
            plan: None,
            used: 0,
            period_ends_at: None,
            cache_ttl: self.quota_cache_ttl,
        };
        let Some(subscription) = store::subscriptions::find(&self.db, tenant_id).await? else {
            return Ok(refused(Refusal::NoSubscription));
        };
        let Some(plan) = store::plans::find(&self.db, &subscription.plan_id).await? else {
            return Ok(refused(Refusal::NoSubscription));
        };
        let used = store::usage_events::count_billable(
            &self.db,
            tenant_id,
            subscription.starts_at,
            subscription.ends_at,
        )
        .await?;
        let used = i64::try_from(used).unwrap_or(i64::MAX);
        Ok(QuotaAnswer {
            verdict: quota::check(&plan, &subscription, used, now),
            used,
            period_ends_at: Some(subscription.ends_at),
            plan: Some(plan),
            cache_ttl: self.quota_cache_ttl,
        })
    }

    /// The tenant's delivered answers by day and product over `period`.
    pub async fn usage_report(
        &self,
        tenant_id: &str,
        period: ReportPeriod,
    ) -> Result<Vec<ReportRow>, BillingError> {
        Ok(store::usage_events::report(&self.db, tenant_id, period).await?)
    }

    /// Puts the tenant on `plan_id` from `starts_at` for the plan's period, replacing any
    /// earlier subscription.
    pub async fn subscribe(
        &self,
        tenant_id: &str,
        plan_id: &str,
        starts_at: DateTime<Utc>,
    ) -> Result<(Subscription, quota::Plan), BillingError> {
        let plan = store::plans::find(&self.db, plan_id)
            .await?
            .ok_or(BillingError::NotFound("plan"))?;
        let subscription = Subscription {
            tenant_id: tenant_id.to_owned(),
            plan_id: plan.id.clone(),
            starts_at,
            ends_at: plan.ends_at(starts_at),
        };
        store::subscriptions::upsert(&self.db, &subscription).await?;
        Ok((subscription, plan))
    }
}
