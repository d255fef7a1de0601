//! Whether a tenant's plan allows one more answer.

use chrono::{DateTime, Months, Utc};
use std::time::Duration;

/// A plan: how many answers within how many months.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub id: String,
    pub answer_limit: i64,
    pub period_months: u32,
}

impl Plan {
    /// The end of a subscription to this plan starting at `starts_at`.
    pub fn ends_at(&self, starts_at: DateTime<Utc>) -> DateTime<Utc> {
        starts_at
            .checked_add_months(Months::new(self.period_months))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}

/// A tenant's plan and the period it runs for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    pub tenant_id: String,
    pub plan_id: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// billing's answer to a quota check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuotaAnswer {
    pub verdict: Result<(), Refusal>,
    /// The tenant's plan; `None` when it has none.
    pub plan: Option<Plan>,
    /// Billable answers delivered in the current period.
    pub used: i64,
    pub period_ends_at: Option<DateTime<Utc>>,
    /// How long the caller may reuse this answer.
    pub cache_ttl: Duration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    NoSubscription,
    NotStarted,
    Expired,
    Exhausted,
}

/// Allowed while `now` is inside the subscription and fewer than the limit were delivered.
pub fn check(
    plan: &Plan,
    subscription: &Subscription,
    used: i64,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    if now < subscription.starts_at {
        Err(Refusal::NotStarted)
    } else if now >= subscription.ends_at {
        Err(Refusal::Expired)
    } else if used >= plan.answer_limit {
        Err(Refusal::Exhausted)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_trial_allows_a_thousand_answers_within_three_months() {
        let trial = Plan {
            id: "trial".into(),
            answer_limit: 1_000,
            period_months: 3,
        };
        let start = Utc
            .with_ymd_and_hms(2026, 11, 30, 12, 0, 0)
            .single()
            .unwrap_or_default();
        let end = trial.ends_at(start);
        assert_eq!(
            end,
            Utc.with_ymd_and_hms(2027, 2, 28, 12, 0, 0)
                .single()
                .unwrap_or_default()
        );
        let subscription = Subscription {
            tenant_id: "t".into(),
            plan_id: trial.id.clone(),
            starts_at: start,
            ends_at: end,
        };
        let inside = start + chrono::Duration::days(10);
        assert_eq!(check(&trial, &subscription, 999, inside), Ok(()));
        assert_eq!(
            check(&trial, &subscription, 1_000, inside),
            Err(Refusal::Exhausted)
        );
        assert_eq!(check(&trial, &subscription, 0, end), Err(Refusal::Expired));
        assert_eq!(
            check(
                &trial,
                &subscription,
                0,
                start - chrono::Duration::seconds(1)
            ),
            Err(Refusal::NotStarted)
        );
    }
}
