//! Whether a tenant's plan allows one more answer.

use chrono::{DateTime, Months, Utc};

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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    NoSubscription,
    NotStarted,
    Expired,
    Exhausted,
}

impl Refusal {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoSubscription => "no_subscription",
            Self::NotStarted => "not_started",
            Self::Expired => "expired",
            Self::Exhausted => "exhausted",
        }
    }
}

/// Allowed while `now` is inside the subscription and fewer than the limit were delivered.
pub fn check(
    answer_limit: i64,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    used: i64,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    if now < starts_at {
        Err(Refusal::NotStarted)
    } else if now >= ends_at {
        Err(Refusal::Expired)
    } else if used >= answer_limit {
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
        let inside = start + chrono::Duration::days(10);
        assert_eq!(check(1_000, start, end, 999, inside), Ok(()));
        assert_eq!(
            check(1_000, start, end, 1_000, inside),
            Err(Refusal::Exhausted)
        );
        assert_eq!(check(1_000, start, end, 0, end), Err(Refusal::Expired));
        assert_eq!(
            check(1_000, start, end, 0, start - chrono::Duration::seconds(1)),
            Err(Refusal::NotStarted)
        );
    }
}
