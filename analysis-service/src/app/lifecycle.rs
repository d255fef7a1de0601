//! The use cases after the decision: the analysts' queue and their resolutions, the answer to
//! a challenge (decided again), the lender's report on the credit, and the history of each
//! analysis.

use super::AnalysisApp;
use crate::{
    domain::{
        analysis::{Analysis, CanonicalProposal, ReviewRefusal},
        decision::decide,
        lifecycle::{Actor, CreditOutcome, Event, EventKind, OutcomeRefusal, Resolution},
        proposal::{Invalid, MAX_CENTS, Proposal},
    },
    error::AnalysisError,
    peers::OnBehalf,
    store::{
        self,
        analyses::{AnalysisRecord, ListFilter, NewVersion, PageCursor},
        events,
    },
};
use aval_credit::performance::{Observation, Performance, measure};
use aval_errors::{FieldViolation, Refusal};
use chrono::{SubsecRound, Utc};
use sea_orm::TransactionTrait;
use std::collections::BTreeMap;

/// How often a step is tried again when another step of the same analysis landed between
/// reading it and writing.
const STEP_ATTEMPTS: usize = 3;

/// How one policy version's decisions performed.
pub struct PolicyPerformance {
    pub policy_id: String,
    pub version: u32,
    /// Grouped by the engine's decision (its status).
    pub performance: Performance,
}

/// A page of analyses, each with the company's CNPJ, and where the next page starts.
pub struct AnalysisPage {
    pub analyses: Vec<(Analysis, Option<String>)>,
    pub next: Option<PageCursor>,
}

impl AnalysisApp {
    /// Up to `page_size` of the tenant's analyses matching `filter`, oldest first, after
    /// `after`.
    pub async fn list(
        &self,
        tenant_id: &str,
        filter: &ListFilter,
        page_size: u64,
        after: Option<&PageCursor>,
    ) -> Result<AnalysisPage, AnalysisError> {
        let mut rows =
            store::analyses::page(&self.db, tenant_id, filter, after, page_size + 1).await?;
        let more = rows.len() as u64 > page_size;
        rows.truncate(usize::try_from(page_size).unwrap_or(usize::MAX));
        let next = more
            .then(|| rows.last())
            .flatten()
            .map(|(last, _)| PageCursor {
                created_at: last.analysis.created_at,
                proposal_id: last.analysis.id.as_str().to_owned(),
            });
        Ok(AnalysisPage {
            analyses: rows
                .into_iter()
                .map(|(stored, document)| (stored.analysis, document))
                .collect(),
            next,
        })
    }

    /// The tenant's analysis `id` with its proposal, for an analyst.
    pub async fn details(
        &self,
        tenant_id: &str,
        id: &str,
    ) -> Result<AnalysisRecord, AnalysisError> {
        store::analyses::find_record(&self.db, tenant_id, id)
            .await?
            .ok_or_else(|| AnalysisError::NotFound(id.to_owned()))
    }

    /// The versions of the tenant's analysis `id` that challenge answers replaced, oldest first.
    pub async fn revisions(
        &self,
        tenant_id: &str,
        id: &str,
    ) -> Result<Vec<store::revisions::Revision>, AnalysisError> {
        store::revisions::list(&self.db, tenant_id, id).await
    }

    /// An analyst resolves the tenant's analysis `id`, through `via` (the partner's client or
    /// the operator).
    pub async fn resolve(
        &self,
        tenant_id: &str,
        id: &str,
        resolution: Resolution,
        via: Actor,
    ) -> Result<Analysis, AnalysisError> {
        let analysis = self
            .step(tenant_id, id, |analysis, proposal, now| {
                // A proposal stored before JSON has no amount to read: the most any may ask.
                let asked = proposal["financial"]["amount"]
                    .as_i64()
                    .unwrap_or(MAX_CENTS);
                analysis
                    .resolve(resolution.clone(), asked, via.clone(), now)
                    .map(Some)
                    .map_err(|refusal| match refusal {
                        ReviewRefusal::Transition(t) => AnalysisError::InvalidTransition(t),
                        ReviewRefusal::CreditLimit(invalid) => {
                            field_error("credit_limit_cents", &invalid)
                        }
                    })
            })
            .await?;
        tracing::info!(
            analysis = %id,
            tenant = %tenant_id,
            status = analysis.status.as_str(),
            "analysis resolved"
        );
        Ok(analysis)
    }

    /// The lender (`actor`) reports what became of the credit of analysis `id`.
    pub async fn report_outcome(
        &self,
        tenant_id: &str,
        id: &str,
        outcome: CreditOutcome,
        actor: Actor,
    ) -> Result<Analysis, AnalysisError> {
        let analysis = self
            .step(tenant_id, id, |analysis, _, now| {
                // The report already standing (a retry) writes nothing.
                analysis
                    .report_outcome(outcome, actor.clone(), now)
                    .map_err(|refusal| match refusal {
                        OutcomeRefusal::Transition(t) => AnalysisError::InvalidTransition(t),
                        OutcomeRefusal::EventDate(invalid) => field_error("event_date", &invalid),
                    })
            })
            .await?;
        tracing::info!(
            analysis = %id,
            tenant = %tenant_id,
            credit = outcome.status.as_str(),
            "credit outcome reported"
        );
        Ok(analysis)
    }

    /// The partner (`actor`) answers a challenge with the completed proposal (same id): the
    /// engine decides it again on fresh partner scores (fetched on `bearer`), the version it
    /// replaces is kept, and nothing is billed again (it is the same analysis). The same answer
    /// sent again is the analysis as it stands.
    pub async fn answer_challenge(
        &self,
        tenant_id: &str,
        bearer: Option<&str>,
        proposal: Proposal,
        received_at: chrono::DateTime<Utc>,
        actor: Actor,
    ) -> Result<Analysis, AnalysisError> {
        let canonical = CanonicalProposal::of(&proposal)?;
        let id = proposal.id().as_str();
        let current = self.details(tenant_id, id).await?.stored;
        if current.analysis.kind != proposal.kind() {
            return Err(field_error(
                "proposal",
                &Invalid::out_of_range(format!(
                    "is a {} proposal; analysis `{id}` is a {} analysis, answered with its own \
                     kind of proposal",
                    proposal.kind(),
                    current.analysis.kind
                )),
            ));
        }
        let same_body = current.fingerprint == canonical.fingerprint;
        if same_body && !current.analysis.status.is_challenged() {
            // A retry of an answer already taken.
            return Ok(current.analysis);
        }
        current
            .analysis
            .status
            .takes_challenge_answer()
            .map_err(AnalysisError::InvalidTransition)?;
        if same_body {
            return Err(field_error(
                "proposal",
                &Invalid::out_of_range(
                    "is the proposal already analysed: the answer completes it with what the \
                     challenge asked for",
                ),
            ));
        }
        let scores = self
            .scores
            .scores(proposal.scored_documents(), &OnBehalf::Token(bearer))
            .await?;
        let policy = self.policies.active(tenant_id, proposal.kind()).await?;
        let decision = decide(&policy, &proposal, &scores);
        for _ in 0..STEP_ATTEMPTS {
            let sequence = events::next_sequence(&self.db, tenant_id, id).await?;
            let before = self.details(tenant_id, id).await?;
            let replaced_decided_at = events::history(&self.db, tenant_id, id)
                .await?
                .iter()
                .rev()
                .find(|(_, e)| matches!(e.kind, EventKind::Decided | EventKind::ChallengeAnswered))
                .map_or(before.stored.analysis.created_at, |(_, e)| e.occurred_at);
            let mut analysis = before.stored.analysis.clone();
            let now = Utc::now().trunc_subsecs(6);
            let event = analysis
                .redecide(decision.clone(), actor.clone(), now)
                .map_err(AnalysisError::InvalidTransition)?;
            let version = NewVersion {
                proposal: &canonical.json,
                fingerprint: &canonical.fingerprint,
                received_at,
                replaces: &before,
                replaced_decided_at,
            };
            let txn = self.db.begin().await?;
            let sequence = adopt(&txn, tenant_id, &before.stored.analysis, sequence).await?;
            if store::analyses::save_new_version(
                &txn, tenant_id, &analysis, version, sequence, &event,
            )
            .await?
            {
                txn.commit().await?;
                tracing::info!(
                    analysis = %id,
                    tenant = %tenant_id,
                    status = analysis.status.as_str(),
                    "challenge answered and decided again"
                );
                return Ok(analysis);
            }
            txn.rollback().await?;
        }
        Err(AnalysisError::Contention(id.to_owned()))
    }

    /// The tenant's analysis `id` decided again as it was first (see
    /// [`PolicyRegistry::replay`](crate::app::PolicyRegistry::replay)): the decision as
    /// delivered and as replayed.
    pub async fn replay(
        &self,
        tenant_id: &str,
        id: &str,
    ) -> Result<
        (
            crate::domain::decision::Decision,
            crate::domain::decision::Decision,
        ),
        AnalysisError,
    > {
        let record = self.details(tenant_id, id).await?;
        self.policies.replay(tenant_id, &record).await
    }

    /// How the tenant's decisions created in `[from, before)` performed, per policy version
    /// and per decision, from the outcomes its lenders reported.
    pub async fn performance(
        &self,
        tenant_id: &str,
        from: Option<chrono::DateTime<Utc>>,
        before: Option<chrono::DateTime<Utc>>,
    ) -> Result<Vec<PolicyPerformance>, AnalysisError> {
        let mut by_policy: BTreeMap<(String, u32), Vec<Observation>> = BTreeMap::new();
        for (decision, outcome) in
            store::analyses::decisions_and_outcomes(&self.db, tenant_id, from, before).await?
        {
            by_policy
                .entry((decision.policy_id.clone(), decision.policy_version))
                .or_default()
                .push(Observation {
                    group: decision.status.as_str().to_owned(),
                    score: decision.score,
                    outcome: outcome.and_then(|o| o.final_outcome()),
                });
        }
        Ok(by_policy
            .into_iter()
            .map(|((policy_id, version), observations)| PolicyPerformance {
                policy_id,
                version,
                performance: measure(&observations),
            })
            .collect())
    }

    /// Every step of the tenant's analysis `id`, numbered, in order.
    pub async fn history(
        &self,
        tenant_id: &str,
        id: &str,
    ) -> Result<Vec<(u32, Event)>, AnalysisError> {
        let steps = events::history(&self.db, tenant_id, id).await?;
        if !steps.is_empty() {
            return Ok(steps);
        }
        // Not adopted yet (an older replica wrote it after this one started): its decision is
        // its first step.
        let analysis = self.get(tenant_id, id).await?;
        Ok(vec![(1, analysis.first_event())])
    }

    /// Applies one step to the analysis as it stands and saves both together. The step's
    /// number is read before the analysis: a step landing in between takes that number, this
    /// one finds it taken, and the whole step runs again on the new state.
    async fn step(
        &self,
        tenant_id: &str,
        id: &str,
        apply: impl Fn(
            &mut Analysis,
            &serde_json::Value,
            chrono::DateTime<Utc>,
        ) -> Result<Option<Event>, AnalysisError>,
    ) -> Result<Analysis, AnalysisError> {
        for _ in 0..STEP_ATTEMPTS {
            let sequence = events::next_sequence(&self.db, tenant_id, id).await?;
            let record = self.details(tenant_id, id).await?;
            let mut analysis = record.stored.analysis.clone();
            let Some(event) = apply(&mut analysis, &record.proposal, Utc::now().trunc_subsecs(6))?
            else {
                return Ok(analysis);
            };
            let txn = self.db.begin().await?;
            let sequence = adopt(&txn, tenant_id, &record.stored.analysis, sequence).await?;
            if store::analyses::save_step(&txn, tenant_id, &analysis, sequence, &event).await? {
                txn.commit().await?;
                return Ok(analysis);
            }
            txn.rollback().await?;
        }
        Err(AnalysisError::Contention(id.to_owned()))
    }
}

/// The number the step takes. An analysis without steps (not adopted yet) first gets its
/// `decided` step, so every history starts with the decision.
async fn adopt(
    txn: &sea_orm::DatabaseTransaction,
    tenant_id: &str,
    before: &Analysis,
    sequence: u32,
) -> Result<u32, AnalysisError> {
    if sequence > 1 {
        return Ok(sequence);
    }
    events::append(txn, tenant_id, before.id.as_str(), 1, &before.first_event()).await?;
    Ok(2)
}

fn field_error(field: &str, refusal: &impl Refusal) -> AnalysisError {
    AnalysisError::InvalidRequest(vec![FieldViolation::new(
        field,
        refusal.code(),
        refusal.message(),
    )])
}
