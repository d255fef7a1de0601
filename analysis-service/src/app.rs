//! analysis-service's use cases: submit a proposal, read an analysis, (`waiting`) decide
//! the proposals that waited for data, and (`lifecycle`) what follows the decision. Each takes
//! and returns domain types and owns what surrounds the decision: idempotency, the quota, the
//! partners' scores, the transaction and the usage event. `api` only converts.

mod lifecycle;
pub mod policies;
pub mod waiting;

pub use lifecycle::{AnalysisPage, PolicyPerformance};
pub use policies::PolicyRegistry;
pub use waiting::WaitingRoom;

use crate::{
    domain::{
        analysis::{Analysis, CanonicalProposal, Fingerprint, StoredAnalysis, sha256_hex},
        decision::decide,
        proposal::{Proposal, ProposalKind},
    },
    error::AnalysisError,
    peers::{OnBehalf, ScoreClient},
    store::{self, OUTBOX, analyses::Retry},
};
use aval_metering::{Product, QuotaGate, QuotaVerdict, UsageRecord};
use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{DatabaseConnection, TransactionTrait};
use std::sync::Arc;

pub struct AnalysisApp {
    db: DatabaseConnection,
    policies: Arc<PolicyRegistry>,
    quota: QuotaGate,
    scores: ScoreClient,
}

impl AnalysisApp {
    pub fn new(
        db: DatabaseConnection,
        policies: Arc<PolicyRegistry>,
        quota: QuotaGate,
        scores: ScoreClient,
    ) -> Self {
        Self {
            db,
            policies,
            quota,
            scores,
        }
    }

    /// Decides `proposal` for the `submitter`'s tenant, or answers the analysis already
    /// delivered for it.
    ///
    /// The proposal id is the idempotency key: the same proposal again is the stored analysis
    /// (billed once); a different proposal under that id is [`AnalysisError::ProposalConflict`].
    /// Otherwise the quota is checked, the partners' scores are fetched on the submitter's
    /// token, and the analysis and its usage event commit together. When those scores cannot
    /// be had in time, the proposal is stored undecided, `waiting_for_data`, and not billed:
    /// the [`WaitingRoom`] decides (and bills) it when they arrive.
    pub async fn submit(
        &self,
        submitter: &Submitter<'_>,
        proposal: Proposal,
        received_at: DateTime<Utc>,
    ) -> Result<Analysis, AnalysisError> {
        let tenant_id = submitter.tenant_id;
        let canonical = CanonicalProposal::of(&proposal)?;
        let id = proposal.id().as_str();
        let kind = proposal.kind();
        if let Some(existing) = store::analyses::find(&self.db, tenant_id, id).await? {
            return replay_or_conflict(existing, &canonical.fingerprint);
        }
        if let QuotaVerdict::Refused { reason } = self.quota.check(tenant_id, product(kind)).await {
            return Err(AnalysisError::QuotaExceeded(reason));
        }
        // The receipt time, in microseconds (what every engine stores): an undated proposal's
        // request date, read back exactly by replay.
        let now = received_at.trunc_subsecs(6);
        let scores = match self
            .scores
            .scores(
                proposal.scored_documents(),
                &OnBehalf::Token(submitter.bearer),
            )
            .await
        {
            Ok(scores) => scores,
            Err(AnalysisError::ScoresUnavailable) => {
                let stored = StoredAnalysis {
                    analysis: Analysis::waiting(proposal.id().clone(), kind, now),
                    fingerprint: canonical.fingerprint,
                };
                let retry = Retry {
                    requested_by: submitter.client_id.to_owned(),
                    attempts: 0,
                    next_attempt_at: now + waiting::backoff(0),
                };
                let analysis = self
                    .create(tenant_id, &canonical.json, stored, Some(&retry))
                    .await?;
                tracing::warn!(
                    kind = kind.as_str(),
                    document = %masked_document(&proposal),
                    tenant = %tenant_id,
                    "partner scores unavailable: the analysis waits for them"
                );
                return Ok(analysis);
            }
            Err(error) => return Err(error),
        };
        // The version of its kind active when the proposal arrives decides it, and the
        // decision names it.
        let policy = self.policies.active(tenant_id, kind).await?;
        let decision = decide(&policy, &proposal, &scores);
        let stored = StoredAnalysis {
            analysis: Analysis::decided(proposal.id().clone(), kind, decision, now),
            fingerprint: canonical.fingerprint,
        };
        let analysis = self
            .create(tenant_id, &canonical.json, stored, None)
            .await?;
        tracing::info!(
            kind = kind.as_str(),
            document = %masked_document(&proposal),
            status = analysis.status.as_str(),
            tenant = %tenant_id,
            "analysis decided"
        );
        Ok(analysis)
    }

    /// Stores a new analysis, billed in the same transaction when it is decided (a waiting
    /// one is billed when decided). A concurrent submission of the same id that committed
    /// first is the answer instead (or a conflict, for another body).
    async fn create(
        &self,
        tenant_id: &str,
        proposal: &serde_json::Value,
        stored: StoredAnalysis,
        retry: Option<&Retry>,
    ) -> Result<Analysis, AnalysisError> {
        let analysis = &stored.analysis;
        let txn = self.db.begin().await?;
        if !store::analyses::insert(&txn, tenant_id, proposal, &stored, retry).await? {
            txn.rollback().await?;
            let id = analysis.id.as_str();
            let existing = store::analyses::find(&self.db, tenant_id, id)
                .await?
                .ok_or_else(|| AnalysisError::NotFound(id.to_owned()))?;
            return replay_or_conflict(existing, &stored.fingerprint);
        }
        if !analysis.is_undecided() {
            OUTBOX
                .enqueue(&txn, &usage(tenant_id, analysis, analysis.created_at))
                .await?;
        }
        txn.commit().await?;
        Ok(stored.analysis)
    }

    /// The tenant's analysis `id`. Another tenant's analysis is as absent as one that never
    /// existed.
    pub async fn get(&self, tenant_id: &str, id: &str) -> Result<Analysis, AnalysisError> {
        store::analyses::find(&self.db, tenant_id, id)
            .await?
            .map(|stored| stored.analysis)
            .ok_or_else(|| AnalysisError::NotFound(id.to_owned()))
    }
}

/// What billing counts a delivered analysis of `kind` as.
fn product(kind: ProposalKind) -> Product {
    match kind {
        ProposalKind::LegalPerson => Product::LegalPersonAnalysis,
        ProposalKind::NaturalPerson => Product::NaturalPersonAnalysis,
    }
}

/// Who submits a proposal: the partner's tenant and client, and its token (`authorization` as
/// received), forwarded to score-service while the partner waits.
#[derive(Clone, Copy, Debug)]
pub struct Submitter<'a> {
    pub tenant_id: &'a str,
    pub client_id: &'a str,
    pub bearer: Option<&'a str>,
}

/// The applicant's document as logs may show it: masked (a CNPJ's or CPF's `Display`).
fn masked_document(proposal: &Proposal) -> String {
    match proposal {
        Proposal::LegalPerson(p) => p.document.to_string(),
        Proposal::NaturalPerson(p) => p.applicant.document.to_string(),
    }
}

/// The stored answer when the proposal is the same, a conflict when it is not.
fn replay_or_conflict(
    existing: StoredAnalysis,
    fingerprint: &Fingerprint,
) -> Result<Analysis, AnalysisError> {
    if existing.fingerprint != *fingerprint {
        return Err(AnalysisError::ProposalConflict(
            existing.analysis.id.as_str().to_owned(),
        ));
    }
    Ok(existing.analysis)
}

/// The usage event of a decided analysis, `at` the decision. Its id is the proposal's key, so
/// even a retried submission (or a late decision) is billed once.
fn usage(tenant_id: &str, analysis: &Analysis, at: DateTime<Utc>) -> UsageRecord {
    UsageRecord {
        event_id: usage_event_id(tenant_id, analysis.id.as_str()),
        tenant_id: tenant_id.to_owned(),
        product: product(analysis.kind),
        occurred_at: at,
        sandbox: false,
    }
}

/// The usage event id of an analysis: fixed length whatever the ids (billing accepts up to 128
/// characters), and the same for a retried submission, so it is billed once.
fn usage_event_id(tenant_id: &str, proposal_id: &str) -> String {
    let key = format!("{tenant_id}\u{0}{proposal_id}");
    format!("analysis:{}", sha256_hex(key.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_event_ids_are_fixed_length_and_tell_tenants_apart() {
        let id = usage_event_id("tenant-a", "12345678");
        assert_eq!(id, usage_event_id("tenant-a", "12345678"));
        assert_eq!(id.len(), "analysis:".len() + 64);
        assert_ne!(id, usage_event_id("tenant-b", "12345678"));
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        assert_ne!(usage_event_id("ab", "c"), usage_event_id("a", "bc"));
        assert!(usage_event_id(&"t".repeat(64), &"p".repeat(100)).len() <= 128);
    }
}
