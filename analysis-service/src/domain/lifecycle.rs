//! What happens to an analysis after the engine decides: an analyst resolves what the engine
//! sent to manual analysis, and the lender reports what became of the credit. Every step is an
//! [`Event`], kept in order as the analysis's history (who, when, why).
//!
//! ```text
//! proposal ─┬──────────────────────────────────────────┐ decided at once
//!           └─▶ waiting_for_data ◀──▶ pending ─────────┤ decided when the partners' scores
//!               (scores not fetched in time)  (a worker │ arrive (retried with backoff)
//!                                    fetches them)      ▼
//!     ┌─────────────────────────────────────────────────┘
//!     ├─▶ automatically_approved ─────────────────────┐
//!     ├─▶ automatically_reproved                      │ credit outcome (lender):
//!     ├─▶ automatically_challenged                    │ created ─▶ disbursed ─▶ paid
//!     └─▶ in_manual_analysis ─┬─▶ manually_approved ──┘                   └─▶ defaulted
//!                             ├─▶ manually_reproved
//!                             └─▶ manually_challenged
//! ```
//!
//! Only approved credit can be reported on; past that, a report follows the rule every credit
//! outcome does ([`aval_credit::outcome`]): forward only, `paid`/`defaulted` final.

use super::decision::AnalysisStatus;
use super::proposal::Invalid;
use super::term::term;
pub use aval_credit::outcome::{CreditOutcome, CreditProposalStatus};
use aval_credit::outcome::{ReportRefusal, TRANSITION_RULE, check_report};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Longest note an analyst may write.
pub const MAX_NOTE_CHARS: usize = 2000;
/// Longest analyst id.
pub const MAX_ANALYST_ID_CHARS: usize = 100;

term! {
    /// What an analyst does with an analysis in manual analysis.
    pub enum ReviewAction {
        Approve => "approve",
        Reprove => "reprove",
        /// Ask the borrower for something before deciding.
        Challenge => "challenge",
    }
}

term! {
    /// What a challenge asks the borrower for.
    pub enum Challenge {
        ProofOfIncome => "proof_of_income",
        NewGuarantor => "new_guarantor",
        AdditionalWarrant => "additional_warrant",
        FinancialStatements => "financial_statements",
        Other => "other",
    }
}

term! {
    /// What kind of step an [`Event`] is.
    pub enum EventKind {
        /// The proposal was accepted undecided: it waits for its partners' scores.
        Received => "received",
        /// The engine decided the proposal (at once, or when the data it waited for arrived).
        Decided => "decided",
        /// An analyst resolved it.
        Reviewed => "reviewed",
        /// The lender reported what became of the credit.
        CreditOutcome => "credit_outcome",
        /// The partner answered a challenge with the completed proposal, and the engine
        /// decided it again.
        ChallengeAnswered => "challenge_answered",
    }
}

impl EventKind {
    /// The status this kind of step changes.
    pub fn field(self) -> &'static str {
        match self {
            Self::Received | Self::Decided | Self::Reviewed | Self::ChallengeAnswered => {
                "analysis_status"
            }
            Self::CreditOutcome => "credit_proposal_status",
        }
    }
}

term! {
    /// Who took a step.
    pub enum ActorType {
        Engine => "engine",
        Analyst => "analyst",
        /// A partner's OAuth2 client.
        Partner => "partner",
        /// Aval's operator (`aval admin`).
        Operator => "operator",
    }
}

/// Who took a step: its type and id (the analyst's id, or the client that acted).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    #[serde(rename = "type")]
    pub kind: ActorType,
    /// Empty for the engine.
    pub id: String,
}

impl Actor {
    pub fn engine() -> Self {
        Self {
            kind: ActorType::Engine,
            id: String::new(),
        }
    }
}

/// An analyst's resolution, valid in every field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolution {
    pub action: ReviewAction,
    pub analyst_id: String,
    pub note: String,
    /// Approve only: the limit granted (at most the amount asked).
    pub credit_limit_cents: Option<i64>,
    /// Challenge only (and required then): what the borrower must provide.
    pub challenge: Option<Challenge>,
}

impl Resolution {
    /// Reads an analyst's resolution, every refused field named (`action`, `analyst_id`,
    /// `note`, `credit_limit_cents`, `challenge`).
    pub fn parse(
        action: &str,
        analyst_id: &str,
        note: &str,
        credit_limit_cents: Option<i64>,
        challenge: Option<&str>,
    ) -> Result<Self, Vec<(&'static str, Invalid)>> {
        let mut refused = Vec::new();
        let action = keep(&mut refused, "action", ReviewAction::parse(action));
        let analyst_id = keep(
            &mut refused,
            "analyst_id",
            bounded_text(analyst_id, MAX_ANALYST_ID_CHARS),
        );
        let note = keep(&mut refused, "note", bounded_text(note, MAX_NOTE_CHARS));
        let challenge = match (action, challenge) {
            (Some(ReviewAction::Challenge), given) => keep(
                &mut refused,
                "challenge",
                Challenge::parse(given.unwrap_or_default()),
            ),
            (_, Some(_)) => keep(
                &mut refused,
                "challenge",
                Err(Invalid::out_of_range("only with the action `challenge`")),
            ),
            (_, None) => None,
        };
        let credit_limit_cents = match (action, credit_limit_cents) {
            (Some(ReviewAction::Approve), Some(cents)) if cents < 1 => keep(
                &mut refused,
                "credit_limit_cents",
                Err(Invalid::out_of_range("must be 1 or more")),
            ),
            (Some(ReviewAction::Approve), given) => given,
            (_, Some(_)) => keep(
                &mut refused,
                "credit_limit_cents",
                Err(Invalid::out_of_range("only with the action `approve`")),
            ),
            (_, None) => None,
        };
        match (action, analyst_id, note) {
            (Some(action), Some(analyst_id), Some(note)) if refused.is_empty() => Ok(Self {
                action,
                analyst_id,
                note,
                credit_limit_cents,
                challenge,
            }),
            _ => Err(refused),
        }
    }
}

/// The value, or `None` after noting why `field` was refused.
fn keep<T>(
    refused: &mut Vec<(&'static str, Invalid)>,
    field: &'static str,
    result: Result<T, Invalid>,
) -> Option<T> {
    result.map_err(|e| refused.push((field, e))).ok()
}

/// A resolution as kept on the analysis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub action: ReviewAction,
    pub analyst_id: String,
    pub note: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_limit_cents: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<Challenge>,
    pub resolved_at: DateTime<Utc>,
}

/// One step of an analysis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub kind: EventKind,
    /// The status it changed from ([`EventKind::field`] says which status).
    pub from: Option<String>,
    pub to: String,
    pub actor: Actor,
    pub note: Option<String>,
    pub challenge: Option<Challenge>,
    pub event_date: Option<NaiveDate>,
    pub occurred_at: DateTime<Utc>,
    /// Through whom an analyst acted: the partner's client or the operator (the analyst's id
    /// is the caller's word; this is who vouched for it).
    pub via: Option<Actor>,
}

/// A step the analysis's current state does not allow; the message names that state.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{what} is not allowed: the {field} is `{current}`; {allowed}")]
pub struct InvalidTransition {
    pub what: String,
    pub field: &'static str,
    pub current: String,
    pub allowed: String,
}

/// A resolution's free text: trimmed, non-empty, bounded, no control characters but line
/// breaks (a note may have paragraphs).
pub fn bounded_text(input: &str, max: usize) -> Result<String, Invalid> {
    let input = input.trim();
    if input.is_empty() {
        return Err(Invalid::Required);
    }
    if input.chars().count() > max {
        return Err(Invalid::TooLong { max });
    }
    if input
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r')
    {
        return Err(Invalid::Format("text without control characters"));
    }
    Ok(input.to_owned())
}

impl AnalysisStatus {
    /// Where an analyst's `action` takes an analysis in this status.
    pub fn after_review(self, action: ReviewAction) -> Result<Self, InvalidTransition> {
        if self != Self::InManualAnalysis {
            return Err(InvalidTransition {
                what: format!("`{action}`"),
                field: "analysis_status",
                current: self.as_str().to_owned(),
                allowed: "only an analysis in `in_manual_analysis` is resolved by an analyst"
                    .to_owned(),
            });
        }
        Ok(match action {
            ReviewAction::Approve => Self::ManuallyApproved,
            ReviewAction::Reprove => Self::ManuallyReproved,
            ReviewAction::Challenge => Self::ManuallyChallenged,
        })
    }

    /// Whether the analysis waits for the borrower to answer a challenge.
    pub fn is_challenged(self) -> bool {
        matches!(
            self,
            Self::AutomaticallyChallenged | Self::ManuallyChallenged
        )
    }

    /// Checks that a challenge answer may be taken in this status.
    pub fn takes_challenge_answer(self) -> Result<(), InvalidTransition> {
        if self.is_challenged() {
            return Ok(());
        }
        Err(InvalidTransition {
            what: "answering a challenge".to_owned(),
            field: "analysis_status",
            current: self.as_str().to_owned(),
            allowed: "only a challenged analysis (automatically_challenged, manually_challenged) \
                      takes an answer"
                .to_owned(),
        })
    }

    /// Whether credit was granted, so that its outcome can be reported.
    pub fn is_approved(self) -> bool {
        matches!(self, Self::AutomaticallyApproved | Self::ManuallyApproved)
    }
}

/// Checks the lender's report of `next` for an analysis in `status`, created at `created_on`
/// (Brasília day), whose credit was last reported as `current`.
pub fn check_outcome(
    status: AnalysisStatus,
    current: Option<CreditOutcome>,
    next: CreditOutcome,
    created_on: NaiveDate,
) -> Result<(), OutcomeRefusal> {
    if !status.is_approved() {
        return Err(OutcomeRefusal::Transition(InvalidTransition {
            what: format!("reporting `{}`", next.status),
            field: "analysis_status",
            current: status.as_str().to_owned(),
            allowed: "only approved credit (automatically_approved, manually_approved) has an \
                      outcome"
                .to_owned(),
        }));
    }
    check_report(current, next, created_on, "the analysis").map_err(|refusal| match refusal {
        ReportRefusal::Backwards { current, next } => {
            OutcomeRefusal::Transition(InvalidTransition {
                what: format!("reporting `{next}`"),
                field: "credit_proposal_status",
                current: current.as_str().to_owned(),
                allowed: TRANSITION_RULE.to_owned(),
            })
        }
        ReportRefusal::EventDate(rule) => OutcomeRefusal::EventDate(Invalid::out_of_range(rule)),
    })
}

/// Why a credit outcome report was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutcomeRefusal {
    Transition(InvalidTransition),
    /// The `event_date` is out of order.
    EventDate(Invalid),
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;
    use AnalysisStatus as S;
    use CreditProposalStatus as C;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default()
    }

    #[test]
    fn only_manual_analysis_is_resolved_by_an_analyst() {
        assert_eq!(
            S::InManualAnalysis.after_review(ReviewAction::Approve),
            Ok(S::ManuallyApproved)
        );
        assert_eq!(
            S::InManualAnalysis.after_review(ReviewAction::Reprove),
            Ok(S::ManuallyReproved)
        );
        assert_eq!(
            S::InManualAnalysis.after_review(ReviewAction::Challenge),
            Ok(S::ManuallyChallenged)
        );
        for status in S::ALL.iter().filter(|s| **s != S::InManualAnalysis) {
            for action in ReviewAction::ALL {
                let Err(error) = status.after_review(*action) else {
                    panic!("{status} accepted {action}");
                };
                assert_eq!(error.current, status.as_str());
                assert!(error.to_string().contains(status.as_str()), "{error}");
            }
        }
    }

    #[test]
    fn outcomes_need_approved_credit_and_dates_in_order() {
        let report = |status, d| CreditOutcome {
            status,
            event_date: day(d),
        };
        assert_eq!(
            check_outcome(S::ManuallyApproved, None, report(C::Disbursed, 10), day(9)),
            Ok(())
        );
        let refused = check_outcome(S::InManualAnalysis, None, report(C::Created, 10), day(9));
        assert!(
            matches!(&refused, Err(OutcomeRefusal::Transition(t)) if t.current == "in_manual_analysis"),
            "{refused:?}"
        );
        let refused = check_outcome(
            S::AutomaticallyApproved,
            Some(report(C::Paid, 12)),
            report(C::Defaulted, 13),
            day(9),
        );
        assert!(
            matches!(&refused, Err(OutcomeRefusal::Transition(t)) if t.current == "paid"),
            "{refused:?}"
        );
        assert!(matches!(
            check_outcome(
                S::AutomaticallyApproved,
                None,
                report(C::Created, 8),
                day(9)
            ),
            Err(OutcomeRefusal::EventDate(_))
        ));
        assert!(matches!(
            check_outcome(
                S::AutomaticallyApproved,
                Some(report(C::Disbursed, 12)),
                report(C::Paid, 11),
                day(9)
            ),
            Err(OutcomeRefusal::EventDate(_))
        ));
        assert_eq!(
            check_outcome(
                S::AutomaticallyApproved,
                Some(report(C::Disbursed, 12)),
                report(C::Disbursed, 11),
                day(9)
            ),
            Ok(()),
            "a date is corrected backwards too"
        );
    }

    #[test]
    fn notes_are_bounded_text_with_paragraphs() {
        assert_eq!(bounded_text("  ok\nfine ", 10), Ok("ok\nfine".to_owned()));
        assert_eq!(bounded_text("   ", 10), Err(Invalid::Required));
        assert_eq!(
            bounded_text("abcdefghijk", 10),
            Err(Invalid::TooLong { max: 10 })
        );
        assert!(bounded_text("a\u{0}b", 10).is_err());
    }
}
