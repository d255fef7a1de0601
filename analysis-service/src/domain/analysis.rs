//! An analysis: the engine's decision on one proposal as it was delivered (kept so that `GET`
//! and a retry of the same proposal answer exactly what the partner was first given), and
//! where it stands since: an analyst's review, the lender's report on the credit. A proposal
//! whose partners' scores could not be fetched in time waits for them undecided
//! (`waiting_for_data`), and is decided when they arrive.

use super::decision::{AnalysisStatus, Decision, Recommendation};
use super::lifecycle::{
    Actor, ActorType, CreditOutcome, Event, EventKind, OutcomeRefusal, Resolution, Review,
    ReviewAction, check_outcome,
};
use super::proposal::{Invalid, ProposalId, ProposalKind};
use chrono::{DateTime, NaiveDate, Utc};

/// The note of the step that sets a proposal waiting: why it is not decided yet.
pub const WAITING_REASON: &str = "partner_scores_unavailable";

/// A delivered analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct Analysis {
    /// The proposal's id, as the partner sent it.
    pub id: ProposalId,
    /// Whose credit: a company's or a person's.
    pub kind: ProposalKind,
    /// The engine's decision, never changed afterwards: what replay recomputes. `None` while
    /// the proposal waits for data (`waiting_for_data`, or `pending` while it is decided).
    pub decision: Option<Decision>,
    /// Where the analysis stands now: the decision's status until a person acts.
    pub status: AnalysisStatus,
    pub review: Option<Review>,
    pub credit_outcome: Option<CreditOutcome>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Why an analyst's resolution was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReviewRefusal {
    Transition(super::lifecycle::InvalidTransition),
    /// The granted limit exceeds the amount asked.
    CreditLimit(Invalid),
}

impl Analysis {
    /// The analysis the engine just delivered.
    pub fn decided(
        id: ProposalId,
        kind: ProposalKind,
        decision: Decision,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            kind,
            status: decision.status,
            decision: Some(decision),
            review: None,
            credit_outcome: None,
            created_at: at,
            updated_at: at,
        }
    }

    /// A proposal accepted undecided: its partners' scores could not be fetched in time.
    pub fn waiting(id: ProposalId, kind: ProposalKind, at: DateTime<Utc>) -> Self {
        Self {
            id,
            kind,
            status: AnalysisStatus::WaitingForData,
            decision: None,
            review: None,
            credit_outcome: None,
            created_at: at,
            updated_at: at,
        }
    }

    /// The first step of the history: the engine's decision, or the proposal set waiting.
    pub fn first_event(&self) -> Event {
        let (kind, note) = match &self.decision {
            Some(decision) => (EventKind::Decided, decision.reason.clone()),
            None => (EventKind::Received, WAITING_REASON.to_owned()),
        };
        Event {
            kind,
            from: None,
            to: self.status.as_str().to_owned(),
            actor: Actor::engine(),
            note: Some(note),
            challenge: None,
            event_date: None,
            occurred_at: self.created_at,
            via: None,
        }
    }

    /// Whether the engine has yet to decide: the proposal waits for data, or is being decided.
    pub fn is_undecided(&self) -> bool {
        self.decision.is_none()
    }

    /// The engine decides a proposal that waited for data, now that the data arrived. The
    /// returned event is the step to keep in the history.
    pub fn decide_late(
        &mut self,
        decision: Decision,
        at: DateTime<Utc>,
    ) -> Result<Event, super::lifecycle::InvalidTransition> {
        if !self.is_undecided() {
            return Err(super::lifecycle::InvalidTransition {
                what: "deciding it again".to_owned(),
                field: "analysis_status",
                current: self.status.as_str().to_owned(),
                allowed: "only a proposal waiting for data is decided later".to_owned(),
            });
        }
        let event = Event {
            kind: EventKind::Decided,
            from: Some(AnalysisStatus::WaitingForData.as_str().to_owned()),
            to: decision.status.as_str().to_owned(),
            actor: Actor::engine(),
            note: Some(decision.reason.clone()),
            challenge: None,
            event_date: None,
            occurred_at: at,
            via: None,
        };
        self.status = decision.status;
        self.decision = Some(decision);
        self.updated_at = at;
        Ok(event)
    }

    /// The decision, or [`InvalidTransition`](super::lifecycle::InvalidTransition) for `what`
    /// while the proposal waits for data.
    pub fn require_decision(
        &self,
        what: &str,
    ) -> Result<&Decision, super::lifecycle::InvalidTransition> {
        self.decision
            .as_ref()
            .ok_or_else(|| super::lifecycle::InvalidTransition {
                what: what.to_owned(),
                field: "analysis_status",
                current: self.status.as_str().to_owned(),
                allowed: "the proposal waits for its partners' scores and is not decided yet"
                    .to_owned(),
            })
    }

    /// What the lender is advised now: a person's resolution overrides the engine's; nothing
    /// before the engine decided.
    pub fn recommendation(&self) -> Option<Recommendation> {
        let decision = self.decision.as_ref()?;
        Some(match self.status {
            AnalysisStatus::ManuallyApproved => Recommendation::Approve,
            AnalysisStatus::ManuallyReproved => Recommendation::Refuse,
            AnalysisStatus::ManuallyChallenged => Recommendation::RequestGuarantees,
            _ => decision.recommendation,
        })
    }

    /// What may be lent now: the analyst's grant (else the engine's suggestion) once manually
    /// approved, nothing once reproved; nothing said before the engine decided.
    pub fn credit_limit_cents(&self) -> Option<i64> {
        let decision = self.decision.as_ref()?;
        Some(match self.status {
            AnalysisStatus::ManuallyApproved => self
                .review
                .as_ref()
                .and_then(|r| r.credit_limit_cents)
                .unwrap_or(decision.credit_limit_cents),
            AnalysisStatus::ManuallyReproved => 0,
            _ => decision.credit_limit_cents,
        })
    }

    /// An analyst resolves the analysis, through `via` (the partner's client or the operator);
    /// `amount_asked_cents` bounds the limit granted. The returned event is the step to keep
    /// in the history.
    pub fn resolve(
        &mut self,
        resolution: Resolution,
        amount_asked_cents: i64,
        via: Actor,
        at: DateTime<Utc>,
    ) -> Result<Event, ReviewRefusal> {
        let next = self
            .status
            .after_review(resolution.action)
            .map_err(ReviewRefusal::Transition)?;
        if let Some(granted) = resolution.credit_limit_cents
            && granted > amount_asked_cents
        {
            return Err(ReviewRefusal::CreditLimit(Invalid::out_of_range(format!(
                "must not exceed the amount asked ({amount_asked_cents} cents)"
            ))));
        }
        let event = Event {
            kind: EventKind::Reviewed,
            from: Some(self.status.as_str().to_owned()),
            to: next.as_str().to_owned(),
            actor: Actor {
                kind: ActorType::Analyst,
                id: resolution.analyst_id.clone(),
            },
            note: Some(resolution.note.clone()),
            challenge: resolution.challenge,
            event_date: None,
            occurred_at: at,
            via: Some(via),
        };
        self.status = next;
        self.review = Some(Review {
            action: resolution.action,
            analyst_id: resolution.analyst_id,
            note: resolution.note,
            credit_limit_cents: resolution
                .credit_limit_cents
                .filter(|_| resolution.action == ReviewAction::Approve),
            challenge: resolution.challenge,
            resolved_at: at,
        });
        self.updated_at = at;
        Ok(event)
    }

    /// The partner answered a challenge with the completed proposal and the engine decided it
    /// again: `decision` replaces the engine's decision (the earlier one is kept apart), and a
    /// person's earlier resolution gives way to it.
    pub fn redecide(
        &mut self,
        decision: Decision,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Result<Event, super::lifecycle::InvalidTransition> {
        self.status.takes_challenge_answer()?;
        let event = Event {
            kind: EventKind::ChallengeAnswered,
            from: Some(self.status.as_str().to_owned()),
            to: decision.status.as_str().to_owned(),
            actor,
            note: Some(decision.reason.clone()),
            challenge: self.review.as_ref().and_then(|r| r.challenge),
            event_date: None,
            occurred_at: at,
            via: None,
        };
        self.status = decision.status;
        self.decision = Some(decision);
        self.review = None;
        self.updated_at = at;
        Ok(event)
    }

    /// The lender reports what became of the credit. The report already standing (a retry)
    /// changes nothing: `Ok(None)`.
    pub fn report_outcome(
        &mut self,
        outcome: CreditOutcome,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Result<Option<Event>, OutcomeRefusal> {
        if self.credit_outcome == Some(outcome) {
            return Ok(None);
        }
        let created_on: NaiveDate = aval_credit::brasilia::day(self.created_at);
        check_outcome(self.status, self.credit_outcome, outcome, created_on)?;
        let event = Event {
            kind: EventKind::CreditOutcome,
            from: self.credit_outcome.map(|c| c.status.as_str().to_owned()),
            to: outcome.status.as_str().to_owned(),
            actor,
            note: None,
            challenge: None,
            event_date: Some(outcome.event_date),
            occurred_at: at,
            via: None,
        };
        self.credit_outcome = Some(outcome);
        self.updated_at = at;
        Ok(Some(event))
    }
}

/// An analysis as kept: what was delivered, and the fingerprint of the proposal it answers.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredAnalysis {
    pub analysis: Analysis,
    pub fingerprint: Fingerprint,
}

/// Tells a retry (the same proposal again) from a different body reusing a proposal id: the
/// SHA-256 (hex) of the proposal's canonical JSON.
///
/// Canonical: the [`Proposal`](super::proposal::Proposal)'s serialization (values normalised: documents as digits,
/// vocabulary in its canonical spelling, text trimmed) with object keys sorted and no
/// whitespace. Two bodies that differ only in such spelling are the same proposal.
///
/// Changing how a [`Proposal`](super::proposal::Proposal) serializes changes fingerprints: a retry that straddles such a
/// release is answered as a conflict (never with another body's answer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprint(String);

/// A proposal's canonical JSON (what is stored, for an auditor to read) and its
/// [`Fingerprint`], made from the one serialization.
#[derive(Clone, Debug, PartialEq)]
pub struct CanonicalProposal {
    pub json: serde_json::Value,
    pub fingerprint: Fingerprint,
}

impl CanonicalProposal {
    /// `proposal`: a [`Proposal`](super::proposal::Proposal), or the one of its kind it holds (they serialize alike).
    pub fn of(proposal: &impl serde::Serialize) -> Result<Self, serde_json::Error> {
        // Through a `Value`, whose objects are sorted maps: field order never matters.
        let json = serde_json::to_value(proposal)?;
        let fingerprint = Fingerprint(sha256_hex(&serde_json::to_vec(&json)?));
        Ok(Self { json, fingerprint })
    }
}

impl Fingerprint {
    /// The fingerprint of `proposal`.
    pub fn of(proposal: &impl serde::Serialize) -> Result<Self, serde_json::Error> {
        CanonicalProposal::of(proposal).map(|canonical| canonical.fingerprint)
    }

    /// A fingerprint as stored.
    pub fn from_hex(hex: String) -> Self {
        Self(hex)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::decision::tests::{decide, policy, qi_proposal, scores};
    use crate::domain::lifecycle::ReviewAction;

    /// The partner's client an analyst works through.
    fn desk() -> Actor {
        Actor {
            kind: ActorType::Partner,
            id: "desk-client".to_owned(),
        }
    }

    fn in_review() -> Analysis {
        let proposal = qi_proposal();
        let mut decision = decide(&policy(), &proposal, &scores(Some(800), None));
        decision.status = AnalysisStatus::InManualAnalysis;
        Analysis::decided(proposal.id, ProposalKind::LegalPerson, decision, Utc::now())
    }

    #[test]
    fn a_person_resolution_sets_what_is_advised_and_lent() {
        let mut analysis = in_review();
        let engine_limit = analysis.credit_limit_cents();
        let challenge = Resolution::parse("challenge", "bia", "statements", None, Some("other"));
        analysis
            .resolve(challenge.unwrap(), 100_000, desk(), Utc::now())
            .unwrap();
        assert_eq!(
            analysis.recommendation(),
            Some(Recommendation::RequestGuarantees)
        );
        assert_eq!(analysis.credit_limit_cents(), engine_limit);

        let mut analysis = in_review();
        let too_much = Resolution::parse("approve", "ana", "ok", Some(100_001), None).unwrap();
        assert!(matches!(
            analysis.resolve(too_much, 100_000, desk(), Utc::now()),
            Err(ReviewRefusal::CreditLimit(_))
        ));
        assert_eq!(
            analysis.status,
            AnalysisStatus::InManualAnalysis,
            "nothing changed"
        );
        let reprove = Resolution::parse("reprove", "ana", "no", None, None).unwrap();
        let step = analysis
            .resolve(reprove, 100_000, desk(), Utc::now())
            .unwrap();
        assert_eq!(step.to, "manually_reproved");
        assert_eq!(step.via, Some(desk()), "who relayed the analyst's word");
        assert_eq!(analysis.recommendation(), Some(Recommendation::Refuse));
        assert_eq!(analysis.credit_limit_cents(), Some(0));
        assert_eq!(
            analysis.review.as_ref().map(|r| r.action),
            Some(ReviewAction::Reprove)
        );
    }

    #[test]
    fn only_a_challenged_analysis_is_decided_again() {
        let mut analysis = in_review();
        let fresh = analysis.decision.clone().unwrap();
        let partner = Actor {
            kind: ActorType::Partner,
            id: "client".to_owned(),
        };
        assert!(
            analysis
                .redecide(fresh.clone(), partner.clone(), Utc::now())
                .is_err()
        );
        let challenge = Resolution::parse("challenge", "bia", "more", None, Some("new_guarantor"));
        analysis
            .resolve(challenge.unwrap(), 100_000, desk(), Utc::now())
            .unwrap();
        let mut approved = fresh;
        approved.status = AnalysisStatus::AutomaticallyApproved;
        let step = analysis.redecide(approved, partner, Utc::now()).unwrap();
        assert_eq!(step.from.as_deref(), Some("manually_challenged"));
        assert_eq!(step.to, "automatically_approved");
        assert_eq!(
            step.challenge,
            Some(crate::domain::lifecycle::Challenge::NewGuarantor)
        );
        assert_eq!(analysis.status, AnalysisStatus::AutomaticallyApproved);
        assert_eq!(analysis.review, None);
    }

    #[test]
    fn sha256_is_lower_case_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
