//! score-service's use cases: score a consumer, give a delivered answer again or replay it,
//! publish models ([`models`]), load consumer data ([`profiles`]), serve the consumer's
//! rights ([`rights`]) and take lenders' reports on the credit they granted ([`outcomes`]).
//! Each takes and returns domain types; `api` only converts.

pub mod models;
pub mod outcomes;
mod permits;
pub mod profiles;
pub mod registry;
pub mod rights;

use crate::{
    domain::{
        AccessLogEntry,
        answer::{AuditRecord, ScoreAnswer},
        request::{CustomerId, ModelChoice, Purpose},
    },
    error::ScoreError,
    store::{self, OUTBOX},
};
use aval_credit::Cpf;
use aval_metering::{Product, QuotaGate, QuotaVerdict, UsageRecord};
use chrono::Utc;
use permits::TenantPermits;
use registry::ModelRegistry;
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};
use std::sync::Arc;

/// How many [`ScoreApp::score_people`] calls of one tenant run at once on a replica; the
/// others wait (within analysis-service's deadline).
pub const PEOPLE_CALLS_PER_TENANT: usize = 4;

pub struct ScoreApp {
    db: DatabaseConnection,
    models: Arc<ModelRegistry>,
    quota: QuotaGate,
    people_calls: TenantPermits,
}

/// Who asks for a score, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requester {
    pub tenant_id: String,
    pub client_id: String,
    pub purpose: Purpose,
}

/// A score request, valid in every field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScoreRequest {
    pub cpf: Cpf,
    pub model: ModelChoice,
    pub customer_id: CustomerId,
    /// The caller's request id, kept in the access log.
    pub request_id: String,
}

/// A delivered answer recomputed from its audit record.
#[derive(Clone, Debug, PartialEq)]
pub struct Replay {
    pub tenant_id: String,
    pub delivered: ScoreAnswer,
    pub replayed: ScoreAnswer,
    /// Empty when the replay is identical.
    pub differences: Vec<String>,
}

/// A new answer id: time-ordered, unique.
fn new_answer_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Records a delivered score in `txn`: who consulted the CPF (the access log) and what was
/// answered from which inputs (the audit record).
async fn keep(
    txn: &impl ConnectionTrait,
    requester: &Requester,
    cpf: &Cpf,
    customer_id: &CustomerId,
    request_id: &str,
    audit: &AuditRecord,
) -> Result<(), ScoreError> {
    let answer = &audit.answer;
    let entry = AccessLogEntry {
        answer_id: answer.answer_id.clone(),
        tenant_id: requester.tenant_id.clone(),
        client_id: requester.client_id.clone(),
        cpf: cpf.clone(),
        customer_id: customer_id.as_str().to_owned(),
        purpose: requester.purpose,
        model_id: answer.model_id.clone(),
        model_version: answer.model_version,
        score: answer.score,
        request_id: request_id.to_owned(),
        created_at: answer.scored_at,
    };
    store::access_log::insert(txn, &entry).await?;
    store::answers::insert(txn, audit).await?;
    Ok(())
}

impl ScoreApp {
    pub fn new(db: DatabaseConnection, models: Arc<ModelRegistry>, quota: QuotaGate) -> Self {
        Self {
            db,
            models,
            quota,
            people_calls: TenantPermits::new(PEOPLE_CALLS_PER_TENANT),
        }
    }

    /// Scores the consumer with the model asked for. The quota is checked first for billed
    /// purposes; the access-log entry, the audit record and (when billed) the usage event
    /// commit with the answer, or none does. Unknown CPFs, and CPFs without the data the model
    /// reads, are errors that cost nothing.
    pub async fn score(
        &self,
        requester: &Requester,
        request: ScoreRequest,
    ) -> Result<ScoreAnswer, ScoreError> {
        let model = self
            .models
            .resolve(&requester.tenant_id, &request.model)
            .await?;
        if requester.purpose.is_billed()
            && let QuotaVerdict::Refused { reason } = self
                .quota
                .check(&requester.tenant_id, Product::ConsumerScore)
                .await
        {
            return Err(ScoreError::QuotaExceeded(reason));
        }
        let record = store::profiles::find(&self.db, &requester.tenant_id, &request.cpf)
            .await?
            .ok_or(ScoreError::CpfNotFound)?;
        let features = model.model.features();
        let inputs = record.only(features.iter().map(String::as_str));
        let scored = model.model.score(&inputs)?;
        let now = Utc::now();
        let answer = ScoreAnswer::new(new_answer_id(), &model.id, model.version, scored, now);

        let txn = self.db.begin().await?;
        let audit = AuditRecord {
            tenant_id: requester.tenant_id.clone(),
            inputs,
            answer,
        };
        keep(
            &txn,
            requester,
            &request.cpf,
            &request.customer_id,
            &request.request_id,
            &audit,
        )
        .await?;
        if requester.purpose.is_billed() {
            let usage = UsageRecord {
                event_id: format!("score:{}", audit.answer.answer_id),
                tenant_id: requester.tenant_id.clone(),
                product: Product::ConsumerScore,
                occurred_at: now,
                sandbox: false,
            };
            OUTBOX.enqueue(&txn, &usage).await?;
        }
        txn.commit().await?;
        tracing::info!(cpf = %request.cpf, score = audit.answer.score, model = %model.id, version = model.version, tenant = %requester.tenant_id, "score delivered");
        Ok(audit.answer)
    }

    /// The people of one credit proposal scored for analysis-service with the tenant's default
    /// model, each `None` when there is no data on them or not what the model reads; their
    /// access-log and audit records commit together (one transaction, not one per person).
    /// A tenant's concurrent calls wait for one of [`PEOPLE_CALLS_PER_TENANT`] permits.
    pub async fn score_people(
        &self,
        requester: &Requester,
        cpfs: &[Cpf],
        request_id: &str,
    ) -> Result<Vec<(Cpf, Option<ScoreAnswer>)>, ScoreError> {
        let _permit = self.people_calls.acquire(&requester.tenant_id).await;
        let model = self
            .models
            .resolve(&requester.tenant_id, &ModelChoice::Default)
            .await?;
        let features = model.model.features();
        let now = Utc::now();
        let mut people = Vec::with_capacity(cpfs.len());
        let mut kept = Vec::new();
        for cpf in cpfs {
            let Some(record) = store::profiles::find(&self.db, &requester.tenant_id, cpf).await?
            else {
                people.push((cpf.clone(), None));
                continue;
            };
            let inputs = record.only(features.iter().map(String::as_str));
            let Ok(scored) = model.model.score(&inputs) else {
                people.push((cpf.clone(), None));
                continue;
            };
            let answer = ScoreAnswer::new(new_answer_id(), &model.id, model.version, scored, now);
            people.push((cpf.clone(), Some(answer.clone())));
            kept.push((
                cpf,
                AuditRecord {
                    tenant_id: requester.tenant_id.clone(),
                    inputs,
                    answer,
                },
            ));
        }
        if !kept.is_empty() {
            let txn = self.db.begin().await?;
            let anonymous = CustomerId::default();
            for (cpf, audit) in &kept {
                keep(&txn, requester, cpf, &anonymous, request_id, audit).await?;
            }
            txn.commit().await?;
        }
        tracing::info!(people = cpfs.len(), scored = kept.len(), model = %model.id, tenant = %requester.tenant_id, "proposal's people scored");
        Ok(people)
    }

    /// A delivered answer of `tenant_id`, exactly as first delivered. Reading it again is
    /// neither billed nor logged as a consultation.
    pub async fn answer(
        &self,
        tenant_id: &str,
        answer_id: &str,
    ) -> Result<ScoreAnswer, ScoreError> {
        store::answers::find(&self.db, answer_id, Some(tenant_id))
            .await?
            .map(|record| record.answer)
            .ok_or(ScoreError::AnswerNotFound)
    }

    /// Recomputes a delivered answer from its stored inputs with its own model version.
    pub async fn replay(&self, answer_id: &str) -> Result<Replay, ScoreError> {
        let record = store::answers::find(&self.db, answer_id, None)
            .await?
            .ok_or(ScoreError::AnswerNotFound)?;
        let delivered = record.answer;
        let model = self
            .models
            .exact(
                &record.tenant_id,
                &delivered.model_id,
                delivered.model_version,
            )
            .await?;
        let scored = model.model.score(&record.inputs)?;
        let replayed = ScoreAnswer::new(
            delivered.answer_id.clone(),
            &model.id,
            model.version,
            scored,
            delivered.scored_at,
        );
        Ok(Replay {
            tenant_id: record.tenant_id,
            differences: delivered.differences(&replayed),
            delivered,
            replayed,
        })
    }
}
