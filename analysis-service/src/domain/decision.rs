//! The decision on a proposal: a pure function of the policy, the proposal and the partners'
//! scores, stored as JSON for audit and replay.

/// Also the fixtures of other modules' tests (the QI Tech proposal as the domain holds it).
#[cfg(test)]
pub(crate) mod tests;

pub use super::policy::Justification;

use super::features::{Feature, FeatureValues};
use super::policy::{Outcome, Policy};
use super::proposal::{Currency, Proposal};
use super::term::term;
use aval_credit::Cpf;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

term! {
    /// Where an analysis stands, in QI Tech's names. The policy only ever answers one of the
    /// three `automatically_*`/`in_manual_analysis` statuses; the others belong to the
    /// workflow around it (waiting for data, a person's review).
    pub enum AnalysisStatus {
        Pending => "pending",
        WaitingForData => "waiting_for_data",
        AutomaticallyApproved => "automatically_approved",
        AutomaticallyReproved => "automatically_reproved",
        AutomaticallyChallenged => "automatically_challenged",
        InManualAnalysis => "in_manual_analysis",
        ManuallyApproved => "manually_approved",
        ManuallyReproved => "manually_reproved",
        ManuallyChallenged => "manually_challenged",
    }
}

term! {
    /// What the platform advises the lender to do.
    pub enum Recommendation {
        Approve => "approve",
        Refuse => "refuse",
        /// Not approvable as asked: more guarantees (or data) would be needed.
        RequestGuarantees => "request_guarantees",
    }
}

/// The answer to a proposal, with everything needed to explain and replay it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub status: AnalysisStatus,
    /// The code of the rule that decided (`policy_approved` when none fired).
    pub reason: String,
    /// 0..=1000, higher = lower risk: the policy's score of the proposal (a company's, or a
    /// person's). Stored under its first name.
    #[serde(rename = "company_score")]
    pub score: u32,
    /// Kept bit for bit: a replay answers the number first delivered.
    #[serde(with = "super::exact")]
    pub probability_of_default: f64,
    pub recommendation: Recommendation,
    /// What the policy would lend: the amount asked when approved, a suggested cap when in
    /// review, zero when reproved.
    pub credit_limit_cents: i64,
    pub currency: Currency,
    /// The reasons behind the score, largest impact first.
    pub justification: Vec<Justification>,
    /// Every rule that fired, reprove rules first.
    pub rules_fired: Vec<String>,
    /// The features the policy read and their values (`null`: no data).
    pub features: BTreeMap<Feature, Option<f64>>,
    pub policy_id: String,
    pub policy_version: u32,
    /// Each partner's score as the engine saw it, for the analyst who reviews the decision
    /// (absent from analyses decided before it was kept).
    #[serde(default)]
    pub partner_scores: Vec<PartnerScore>,
}

impl Decision {
    /// The fields in which `replayed` differs from this decision, each as `field: this →
    /// replayed`; empty when they are identical (numbers bit for bit).
    pub fn differences(&self, replayed: &Decision) -> Vec<String> {
        let mut found = Vec::new();
        let mut compare = |field: &str, delivered: String, again: String| {
            if delivered != again {
                found.push(format!("{field}: {delivered} → {again}"));
            }
        };
        compare(
            "status",
            self.status.to_string(),
            replayed.status.to_string(),
        );
        compare("reason", self.reason.clone(), replayed.reason.clone());
        compare(
            "company_score",
            self.score.to_string(),
            replayed.score.to_string(),
        );
        compare(
            "probability_of_default",
            format!("{:?}", self.probability_of_default),
            format!("{:?}", replayed.probability_of_default),
        );
        compare(
            "recommendation",
            self.recommendation.to_string(),
            replayed.recommendation.to_string(),
        );
        compare(
            "credit_limit_cents",
            self.credit_limit_cents.to_string(),
            replayed.credit_limit_cents.to_string(),
        );
        let codes = |d: &Decision| {
            d.justification
                .iter()
                .map(|j| format!("{}={:?}", j.code, j.impact))
                .collect::<Vec<_>>()
                .join(", ")
        };
        compare("justification", codes(self), codes(replayed));
        compare(
            "rules_fired",
            self.rules_fired.join(", "),
            replayed.rules_fired.join(", "),
        );
        compare(
            "features",
            format!("{:?}", self.features),
            format!("{:?}", replayed.features),
        );
        found
    }
}

/// The 0..1000 score of a person the engine looked up (`None`: no data): a company's
/// shareholder or guarantor, or a person asking and their guarantors.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerScore {
    /// The CPF, digits only.
    pub document_number: String,
    pub score: Option<u32>,
}

/// Decides a proposal. Pure and deterministic: the same inputs always give the same decision.
///
/// `scores` holds the 0..1000 score of each CPF in [`Proposal::scored_documents`] (`None`,
/// or no entry: the platform has no data for that person). The policy is of the proposal's
/// kind (the caller picks it so); it reads only the features it declared.
pub fn decide(
    policy: &Policy,
    proposal: &Proposal,
    scores: &BTreeMap<Cpf, Option<u32>>,
) -> Decision {
    // The policy sees only the features it declared, never the proposal itself.
    let features = FeatureValues::extract(proposal, scores).only(policy.features());
    let verdict = policy.evaluate(&features);
    let scored = policy.score(&features);
    let (status, recommendation) = match verdict.outcome {
        Outcome::Approve => (
            AnalysisStatus::AutomaticallyApproved,
            Recommendation::Approve,
        ),
        Outcome::Review => (
            AnalysisStatus::InManualAnalysis,
            Recommendation::RequestGuarantees,
        ),
        Outcome::Reprove => (
            AnalysisStatus::AutomaticallyReproved,
            Recommendation::Refuse,
        ),
    };
    let credit_limit_cents = match verdict.outcome {
        Outcome::Reprove => 0,
        Outcome::Approve | Outcome::Review => policy.credit_limit(
            proposal.financial().amount.get(),
            proposal.monthly_income().get(),
            proposal.forced_selling_total(),
        ),
    };
    Decision {
        status,
        reason: verdict.reason,
        score: scored.score,
        probability_of_default: scored.probability_of_default,
        recommendation,
        credit_limit_cents,
        currency: proposal.financial().currency,
        justification: scored.reasons,
        rules_fired: verdict.rules_fired,
        features: features.as_map().clone(),
        policy_id: policy.id().to_owned(),
        policy_version: policy.version(),
        partner_scores: proposal
            .scored_documents()
            .into_iter()
            .map(|cpf| PartnerScore {
                score: scores.get(&cpf).copied().flatten(),
                document_number: cpf.digits().to_owned(),
            })
            .collect(),
    }
}
