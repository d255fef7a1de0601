//! The consumer's rights: disclosing what is known and said about a CPF, and review requests
//! a person answers.

use super::{Requester, registry::ModelRegistry};
use crate::{
    domain::{
        AccessLogEntry,
        model::feature::FeatureCatalog,
        request::ModelChoice,
        rights::{
            DataCategory, DisclosedScore, Disclosure, ReviewOutcome, ReviewRequest, ReviewStatus,
            consultations_since,
        },
    },
    error::ScoreError,
    store,
};
use aval_credit::Cpf;
use aval_errors::{FieldCode, FieldViolation};
use chrono::Utc;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// The most consultations a disclosure lists.
const MAX_CONSULTATIONS: u64 = 1_000;
/// Review requests per page, by default and at most.
pub const DEFAULT_PAGE_SIZE: u64 = 50;
pub const MAX_PAGE_SIZE: u64 = 100;

pub struct RightsApp {
    db: DatabaseConnection,
    registry: Arc<ModelRegistry>,
}

/// A consumer's review request, valid in shape.
#[derive(Clone, Debug)]
pub struct NewReviewRequest {
    pub cpf: Cpf,
    pub answer_id: Option<String>,
    pub reason: String,
}

/// An analyst's answer, valid in shape.
#[derive(Clone, Debug)]
pub struct ReviewAnswer {
    pub id: String,
    pub outcome: ReviewOutcome,
    pub analyst: String,
    pub note: String,
}

impl RightsApp {
    pub fn new(db: DatabaseConnection, registry: Arc<ModelRegistry>) -> Self {
        Self { db, registry }
    }

    /// The CPF's score under `choice` (when there is data to score it with) explained, the
    /// data the model uses, and who consulted the CPF in the last six months. Free (never
    /// metered), but only for a consumer the tenant has a relationship with (it holds data
    /// about the CPF or got an answer about it), and logged like any look at the data: a
    /// disclosure cannot be a free way to score strangers.
    pub async fn disclose(
        &self,
        requester: &Requester,
        cpf: &Cpf,
        choice: &ModelChoice,
    ) -> Result<Disclosure, ScoreError> {
        let tenant_id = requester.tenant_id.as_str();
        let related = store::profiles::held_by(&self.db, tenant_id, cpf).await?
            || store::access_log::consulted_by(&self.db, tenant_id, cpf).await?;
        if !related {
            return Err(ScoreError::NoRelationship);
        }
        let model = self.registry.resolve(tenant_id, choice).await?;
        let own = store::features::catalog(&self.db, tenant_id).await?;
        let platform = FeatureCatalog::platform();
        let catalog = platform.clone().merged(&own);
        let features = model.model.features();
        let record = store::profiles::find(&self.db, tenant_id, cpf).await?;
        let score = record
            .map(|r| r.only(features.iter().map(String::as_str)))
            .and_then(|inputs| model.model.score(&inputs).ok())
            .map(|scored| DisclosedScore::explain(&model.id, model.version, scored, &catalog));
        let now = Utc::now();
        let consultations = store::access_log::consultations(
            &self.db,
            cpf,
            consultations_since(now),
            MAX_CONSULTATIONS,
        )
        .await?;
        store::access_log::insert(
            &self.db,
            &AccessLogEntry {
                answer_id: uuid::Uuid::now_v7().to_string(),
                tenant_id: tenant_id.to_owned(),
                client_id: requester.client_id.clone(),
                cpf: cpf.clone(),
                customer_id: String::new(),
                purpose: requester.purpose,
                model_id: model.id.clone(),
                model_version: model.version,
                score: score.as_ref().map_or(0, |s| s.score),
                request_id: String::new(),
                created_at: now,
            },
        )
        .await?;
        Ok(Disclosure {
            score,
            categories: DataCategory::of(features, &platform, &own),
            consultations,
            disclosed_at: now,
        })
    }

    /// Opens a review request; an answer it names must be one the tenant got about this CPF.
    pub async fn open_review(
        &self,
        tenant_id: &str,
        client_id: &str,
        request: NewReviewRequest,
    ) -> Result<ReviewRequest, ScoreError> {
        if let Some(answer_id) = &request.answer_id
            && !store::access_log::answered_about(&self.db, answer_id, tenant_id, &request.cpf)
                .await?
        {
            return Err(ScoreError::InvalidRequest(vec![FieldViolation::new(
                "answer_id",
                FieldCode::Invalid,
                "no answer with this id was given to you about this CPF",
            )]));
        }
        let review = ReviewRequest::open(
            tenant_id,
            request.cpf,
            request.answer_id,
            request.reason,
            client_id,
            Utc::now(),
        );
        store::review_requests::insert(&self.db, &review).await?;
        tracing::info!(review = %review.id, tenant = %tenant_id, cpf = %review.cpf, "review requested");
        Ok(review)
    }

    pub async fn review(&self, tenant_id: &str, id: &str) -> Result<ReviewRequest, ScoreError> {
        store::review_requests::find(&self.db, tenant_id, id)
            .await?
            .ok_or(ScoreError::ReviewNotFound)
    }

    /// A page of the tenant's requests, oldest first, and the cursor of the next page.
    pub async fn reviews(
        &self,
        tenant_id: &str,
        status: Option<ReviewStatus>,
        page_size: u64,
        after: Option<&str>,
    ) -> Result<(Vec<ReviewRequest>, Option<String>), ScoreError> {
        let mut page =
            store::review_requests::page(&self.db, tenant_id, status, after, page_size + 1).await?;
        let next = if page.len() as u64 > page_size {
            page.truncate(usize::try_from(page_size).unwrap_or(usize::MAX));
            page.last().map(|r| r.id.clone())
        } else {
            None
        };
        Ok((page, next))
    }

    /// An analyst answers an open request; one answered already is not answered again.
    pub async fn answer_review(
        &self,
        tenant_id: &str,
        answer: ReviewAnswer,
    ) -> Result<ReviewRequest, ScoreError> {
        let mut review = self.review(tenant_id, &answer.id).await?;
        review
            .answer(answer.outcome, &answer.analyst, answer.note, Utc::now())
            .map_err(|e| ScoreError::ReviewClosed(e.to_string()))?;
        if !store::review_requests::save_answer(&self.db, &review).await? {
            return Err(ScoreError::ReviewClosed(
                "the review request was answered meanwhile".into(),
            ));
        }
        tracing::info!(review = %review.id, tenant = %tenant_id, outcome = ?answer.outcome, "review answered");
        Ok(review)
    }
}
