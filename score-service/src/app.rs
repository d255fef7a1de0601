//! score-service's use cases: score a consumer, give a delivered answer again or replay it,
//! publish models ([`models`]), load consumer data ([`profiles`]), serve the consumer's
//! rights ([`rights`]) and take lenders' reports on the credit they granted ([`outcomes`]).
//! Each takes and returns domain types; `api` only converts.

pub mod models;
pub mod outcomes;
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
use registry::ModelRegistry;
use sea_orm::{DatabaseConnection, TransactionTrait};
use std::sync::Arc;

pub struct ScoreApp {
    db: DatabaseConnection,
    models: Arc<ModelRegistry>,
    quota: QuotaGate,
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

impl ScoreApp {
    pub fn new(db: DatabaseConnection, models: Arc<ModelRegistry>, quota: QuotaGate) -> Self {
        Self { db, models, quota }
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
        let answer_id = uuid::Uuid::now_v7().to_string();
        let answer = ScoreAnswer::new(answer_id.clone(), &model.id, model.version, scored, now);

        let txn = self.db.begin().await?;
        let entry = AccessLogEntry {
            answer_id: answer_id.clone(),
            tenant_id: requester.tenant_id.clone(),
            client_id: requester.client_id.clone(),
            cpf: request.cpf.clone(),
            customer_id: request.customer_id.as_str().to_owned(),
            purpose: requester.purpose,
            model_id: model.id.clone(),
            model_version: model.version,
            score: answer.score,
            request_id: request.request_id,
            created_at: now,
        };
        store::access_log::insert(&txn, &entry).await?;
        let audit = AuditRecord {
            tenant_id: requester.tenant_id.clone(),
            inputs,
            answer,
        };
        store::answers::insert(&txn, &audit).await?;
        if requester.purpose.is_billed() {
            let usage = UsageRecord {
                event_id: format!("score:{answer_id}"),
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
