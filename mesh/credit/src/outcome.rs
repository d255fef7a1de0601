//! What became of a credit, as the lender reports it after a decision (an analysis, a score):
//! QI Tech's `credit_proposal_status` and the rule every report follows.
//!
//! ```text
//! created ─▶ disbursed ─▶ paid
//!                     └─▶ defaulted
//! ```
//!
//! A report may skip steps forward (a lender that reports `paid` first has disbursed), never go
//! back, and `paid`/`defaulted` are final. Reporting the current status again corrects its
//! date; the same status and date again is a retry and changes nothing.

use crate::performance::FinalOutcome;
use aval_errors::{FieldCode, Refusal};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What became of the credit (QI Tech's `credit_proposal_status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreditProposalStatus {
    Created,
    Disbursed,
    Paid,
    Defaulted,
}

/// How a credit moves, for messages.
pub const TRANSITION_RULE: &str =
    "a credit moves created → disbursed → paid or defaulted, never back";

impl CreditProposalStatus {
    /// Every status, in the order it is listed to callers.
    pub const ALL: &'static [Self] = &[Self::Created, Self::Disbursed, Self::Paid, Self::Defaulted];

    /// The canonical spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Disbursed => "disbursed",
            Self::Paid => "paid",
            Self::Defaulted => "defaulted",
        }
    }

    /// Any letter case, surrounding blanks ignored.
    pub fn parse(input: &str) -> Result<Self, StatusError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(StatusError::Required);
        }
        Self::ALL
            .iter()
            .copied()
            .find(|s| s.as_str().eq_ignore_ascii_case(input))
            .ok_or(StatusError::Unknown)
    }

    /// Its place along created → disbursed → paid | defaulted.
    fn stage(self) -> u8 {
        match self {
            Self::Created => 0,
            Self::Disbursed => 1,
            Self::Paid | Self::Defaulted => 2,
        }
    }

    /// Whether a credit last reported `current` can be reported `self` now: forward only
    /// (skipping is fine), and nothing after `paid` or `defaulted`. Reporting the current
    /// status again is allowed only to correct its date.
    pub fn can_follow(self, current: Option<Self>) -> bool {
        match current {
            None => true,
            Some(current) if current == self => true,
            Some(current) => current.stage() < 2 && current.stage() < self.stage(),
        }
    }

    /// `paid` or `defaulted`; `None` while the credit runs.
    pub fn final_outcome(self) -> Option<FinalOutcome> {
        match self {
            Self::Paid => Some(FinalOutcome::Paid),
            Self::Defaulted => Some(FinalOutcome::Defaulted),
            Self::Created | Self::Disbursed => None,
        }
    }
}

impl std::fmt::Display for CreditProposalStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a `credit_proposal_status` was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StatusError {
    #[error("is required")]
    Required,
    #[error("must be one of: created, disbursed, paid, defaulted")]
    Unknown,
}

impl Refusal for StatusError {
    fn code(&self) -> FieldCode {
        match self {
            Self::Required => FieldCode::Required,
            Self::Unknown => FieldCode::InvalidEnum,
        }
    }

    fn message(&self) -> String {
        self.to_string()
    }
}

/// The lender's latest report on the credit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CreditOutcome {
    pub status: CreditProposalStatus,
    pub event_date: NaiveDate,
}

/// Why a report was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReportRefusal {
    /// The report goes back, or follows `paid`/`defaulted`.
    #[error(
        "reporting `{next}` is not allowed: the credit_proposal_status is `{current}`; \
         {TRANSITION_RULE}"
    )]
    Backwards {
        current: CreditProposalStatus,
        next: CreditProposalStatus,
    },
    /// The `event_date` is out of order; the message says with what.
    #[error("{0}")]
    EventDate(String),
}

/// Checks the report `next` on a credit decided on `decided_on` (its Brasília day), by
/// `subject` (`the analysis`, `the answer`), last reported as `current`: the status moves
/// forward, and the date is not before the decision nor (for a new status) before the
/// previous report.
pub fn check_report(
    current: Option<CreditOutcome>,
    next: CreditOutcome,
    decided_on: NaiveDate,
    subject: &str,
) -> Result<(), ReportRefusal> {
    if let Some(current) = current
        && !next.status.can_follow(Some(current.status))
    {
        return Err(ReportRefusal::Backwards {
            current: current.status,
            next: next.status,
        });
    }
    if next.event_date < decided_on {
        return Err(ReportRefusal::EventDate(format!(
            "must not be before {subject} ({decided_on})"
        )));
    }
    // Reporting the current status again corrects its date, either way.
    if let Some(current) = current
        && current.status != next.status
        && next.event_date < current.event_date
    {
        return Err(ReportRefusal::EventDate(format!(
            "must not be before the previous report ({})",
            current.event_date
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use CreditProposalStatus as C;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default()
    }

    fn report(status: C, d: u32) -> CreditOutcome {
        CreditOutcome {
            status,
            event_date: day(d),
        }
    }

    #[test]
    fn credit_moves_forward_only_and_ends_paid_or_defaulted() {
        assert!(C::Created.can_follow(None));
        assert!(C::Paid.can_follow(None));
        assert!(C::Disbursed.can_follow(Some(C::Created)));
        assert!(C::Paid.can_follow(Some(C::Created)), "skipping is fine");
        assert!(C::Defaulted.can_follow(Some(C::Disbursed)));
        assert!(C::Disbursed.can_follow(Some(C::Disbursed)), "a date fix");
        assert!(!C::Created.can_follow(Some(C::Disbursed)));
        assert!(!C::Paid.can_follow(Some(C::Defaulted)));
        assert!(!C::Defaulted.can_follow(Some(C::Paid)));
        assert!(C::Paid.can_follow(Some(C::Paid)));
    }

    #[test]
    fn statuses_parse_in_any_case_and_only_paid_or_defaulted_is_final() {
        assert_eq!(C::parse(" PAID "), Ok(C::Paid));
        assert_eq!(C::parse(""), Err(StatusError::Required));
        assert_eq!(
            C::parse("settled").map_err(|e| e.code()),
            Err(FieldCode::InvalidEnum)
        );
        assert_eq!(C::Defaulted.to_string(), "defaulted");
        assert_eq!(C::Defaulted.final_outcome(), Some(FinalOutcome::Defaulted));
        assert_eq!(C::Paid.final_outcome(), Some(FinalOutcome::Paid));
        assert_eq!(C::Disbursed.final_outcome(), None);
    }

    #[test]
    fn reports_move_forward_with_dates_in_order() {
        assert_eq!(
            check_report(None, report(C::Disbursed, 10), day(9), "it"),
            Ok(())
        );
        let refused = check_report(
            Some(report(C::Paid, 12)),
            report(C::Defaulted, 13),
            day(9),
            "it",
        );
        assert_eq!(
            refused,
            Err(ReportRefusal::Backwards {
                current: C::Paid,
                next: C::Defaulted
            })
        );
        assert!(
            refused
                .err()
                .is_some_and(|r| r.to_string().contains("is `paid`"))
        );
        assert_eq!(
            check_report(None, report(C::Created, 8), day(9), "the answer"),
            Err(ReportRefusal::EventDate(
                "must not be before the answer (2026-11-09)".to_owned()
            ))
        );
        assert!(matches!(
            check_report(
                Some(report(C::Disbursed, 12)),
                report(C::Paid, 11),
                day(9),
                "it"
            ),
            Err(ReportRefusal::EventDate(_))
        ));
        assert_eq!(
            check_report(
                Some(report(C::Disbursed, 12)),
                report(C::Disbursed, 11),
                day(9),
                "it"
            ),
            Ok(()),
            "a date is corrected backwards too"
        );
    }
}
