//! score-service's use cases: score a consumer, load behavioural profiles. Each takes and
//! returns domain types; `api` only converts.

use crate::{
    domain::{
        AccessLogEntry, ProfileOwner,
        profile::ConsumerProfile,
        request::{CustomerId, ModelChoice, Purpose},
        scorecard::{ScoreResult, Scorecard},
    },
    error::ScoreError,
    store::{self, OUTBOX},
};
use aval_credit::Cpf;
use aval_metering::{Product, QuotaGate, QuotaVerdict, UsageRecord};
use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, TransactionTrait};

pub struct ScoreApp {
    db: DatabaseConnection,
    model: Scorecard,
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

/// A delivered score.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoreAnswer {
    pub result: ScoreResult,
    pub model_id: String,
    pub model_version: i32,
    pub scored_at: DateTime<Utc>,
    /// Identifies this answer (its usage event and access-log entry).
    pub answer_id: String,
}

impl ScoreApp {
    pub fn new(db: DatabaseConnection, model: Scorecard, quota: QuotaGate) -> Self {
        Self { db, model, quota }
    }

    /// Scores the consumer with the model asked for. The quota is checked first for billed
    /// purposes; the access-log entry and (when billed) the usage event commit with the
    /// answer, or neither does. Unknown CPFs are `CpfNotFound` and cost nothing.
    pub async fn score(
        &self,
        requester: &Requester,
        request: ScoreRequest,
    ) -> Result<ScoreAnswer, ScoreError> {
        if let ModelChoice::Named(name) = &request.model
            && *name != self.model.id
        {
            return Err(ScoreError::ModelNotFound(name.clone()));
        }
        if requester.purpose.is_billed()
            && let QuotaVerdict::Refused { reason } = self
                .quota
                .check(&requester.tenant_id, Product::ConsumerScore)
                .await
        {
            return Err(ScoreError::QuotaExceeded(reason));
        }
        let profile = store::profiles::find(&self.db, &requester.tenant_id, &request.cpf)
            .await?
            .ok_or(ScoreError::CpfNotFound)?;
        let result = self.model.score(&profile);
        let now = Utc::now();
        let answer_id = uuid::Uuid::now_v7().to_string();

        let txn = self.db.begin().await?;
        let entry = AccessLogEntry {
            answer_id: answer_id.clone(),
            tenant_id: requester.tenant_id.clone(),
            client_id: requester.client_id.clone(),
            cpf: request.cpf.clone(),
            customer_id: request.customer_id.as_str().to_owned(),
            purpose: requester.purpose,
            model_id: self.model.id.clone(),
            model_version: self.model.version,
            score: result.score,
            request_id: request.request_id,
            created_at: now,
        };
        store::access_log::insert(&txn, &entry).await?;
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
        tracing::info!(cpf = %request.cpf, score = result.score, tenant = %requester.tenant_id, "score delivered");
        Ok(ScoreAnswer {
            result,
            model_id: self.model.id.clone(),
            model_version: self.model.version,
            scored_at: now,
            answer_id,
        })
    }

    /// Inserts or replaces `owner`'s profiles, all or none.
    pub async fn upsert_profiles(
        &self,
        owner: &ProfileOwner,
        profiles: &[ConsumerProfile],
    ) -> Result<usize, ScoreError> {
        let txn = self.db.begin().await?;
        store::profiles::upsert(&txn, owner, profiles).await?;
        txn.commit().await?;
        Ok(profiles.len())
    }
}
