//! Usage events: one per delivered answer, identified so a retry is never counted twice.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// The calendar day billing counts an answer in: the day in Brasília, the legal time of the
/// contracts, so an answer at 22:00 on the 31st belongs to that month, not the next.
pub fn billing_day(at: DateTime<Utc>) -> NaiveDate {
    aval_credit::brasilia::day(at)
}

/// Who reads a consumption report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReportReader {
    /// An operator, who names the tenant.
    Operator,
    /// A partner's token: it reads its own tenant, whatever tenant the request names.
    Partner { tenant_id: String },
}

impl ReportReader {
    /// The tenant whose report this reader gets when `requested` is asked for; `None` when an
    /// operator named none.
    pub fn tenant(&self, requested: &str) -> Option<String> {
        match self {
            Self::Partner { tenant_id } => Some(tenant_id.clone()),
            Self::Operator if requested.is_empty() => None,
            Self::Operator => Some(requested.to_owned()),
        }
    }
}

/// The longest report period, in days.
pub const MAX_REPORT_DAYS: i64 = 366;

/// The days a consumption report covers, both inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportPeriod {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Why a report period was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodError {
    /// `to` is before `from`.
    Reversed,
    /// Longer than [`MAX_REPORT_DAYS`].
    TooLong,
}

impl ReportPeriod {
    /// The period asked for. A missing `to` is today (Brasília); a missing `from` is the first
    /// day of `to`'s month, so no parameter at all means this month so far.
    pub fn new(
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        now: DateTime<Utc>,
    ) -> Result<Self, PeriodError> {
        let to = to.unwrap_or_else(|| billing_day(now));
        let from = from.unwrap_or_else(|| to.with_day(1).unwrap_or(to));
        if to < from {
            Err(PeriodError::Reversed)
        } else if (to - from).num_days() >= MAX_REPORT_DAYS {
            Err(PeriodError::TooLong)
        } else {
            Ok(Self { from, to })
        }
    }
}

/// What was delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Product {
    ConsumerScore,
    LegalPersonAnalysis,
    NaturalPersonAnalysis,
}

impl Product {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ConsumerScore => "consumer_score",
            Self::LegalPersonAnalysis => "legal_person_analysis",
            Self::NaturalPersonAnalysis => "natural_person_analysis",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "consumer_score" => Some(Self::ConsumerScore),
            "legal_person_analysis" => Some(Self::LegalPersonAnalysis),
            "natural_person_analysis" => Some(Self::NaturalPersonAnalysis),
            _ => None,
        }
    }
}

/// One line of a consumption report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportRow {
    pub day: NaiveDate,
    pub product: Product,
    pub answers: i64,
}

/// A delivered answer, as billing records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageEvent {
    pub event_id: String,
    pub tenant_id: String,
    pub product: Product,
    pub occurred_at: DateTime<Utc>,
    /// Answers from sandbox (test) credentials are recorded but never billed.
    pub sandbox: bool,
}

impl UsageEvent {
    /// The day reports group by (Brasília time).
    pub fn day(&self) -> String {
        billing_day(self.occurred_at).format("%Y-%m-%d").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn billing_days_are_brasilia_days() {
        let late_evening = Utc.with_ymd_and_hms(2026, 12, 1, 1, 30, 0).single();
        assert_eq!(
            late_evening.map(billing_day),
            NaiveDate::from_ymd_opt(2026, 11, 30),
            "22:30 in Brasília, still November"
        );
        let morning = Utc.with_ymd_and_hms(2026, 12, 1, 3, 0, 0).single();
        assert_eq!(
            morning.map(billing_day),
            NaiveDate::from_ymd_opt(2026, 12, 1)
        );
    }

    #[test]
    fn a_partner_reads_only_its_own_report_and_an_operator_names_the_tenant() {
        let partner = ReportReader::Partner {
            tenant_id: "acme".into(),
        };
        assert_eq!(partner.tenant("someone-else"), Some("acme".into()));
        assert_eq!(partner.tenant(""), Some("acme".into()));
        assert_eq!(ReportReader::Operator.tenant("acme"), Some("acme".into()));
        assert_eq!(ReportReader::Operator.tenant(""), None);
    }

    #[test]
    fn a_report_defaults_to_this_month_so_far_and_is_bounded() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        let now = Utc
            .with_ymd_and_hms(2026, 12, 1, 1, 30, 0)
            .single()
            .unwrap_or_default();
        assert_eq!(
            ReportPeriod::new(None, None, now),
            Ok(ReportPeriod {
                from: day(2026, 11, 1),
                to: day(2026, 11, 30)
            })
        );
        assert_eq!(
            ReportPeriod::new(Some(day(2026, 11, 2)), Some(day(2026, 11, 1)), now),
            Err(PeriodError::Reversed)
        );
        // Only `to`, in an earlier month: that month up to `to`.
        assert_eq!(
            ReportPeriod::new(None, Some(day(2026, 9, 15)), now),
            Ok(ReportPeriod {
                from: day(2026, 9, 1),
                to: day(2026, 9, 15)
            })
        );
        // 366 days, both ends included, at most.
        assert!(ReportPeriod::new(Some(day(2025, 1, 1)), Some(day(2026, 1, 1)), now).is_ok());
        assert_eq!(
            ReportPeriod::new(Some(day(2025, 1, 1)), Some(day(2026, 1, 2)), now),
            Err(PeriodError::TooLong)
        );
    }
}
