//! gRPC surface of the consumer's rights: partners through the gateway, with the
//! `consumer:rights` scope (disclosure, opening and reading review requests) or the
//! `consumer:reviews` scope (the tenant's analysts: listing and answering them).

use crate::{
    api::band_to_pb,
    app::{
        Requester,
        rights::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, NewReviewRequest, ReviewAnswer, RightsApp},
    },
    domain::{
        request::{ModelChoice, Purpose},
        rights::{
            CONSUMER_REVIEWS, CONSUMER_RIGHTS, Disclosure as DomainDisclosure, Factor,
            MAX_ANALYST_CHARS, MAX_TEXT_CHARS, ReviewOutcome, ReviewRequest as DomainReview,
            ReviewStatus, required_text,
        },
    },
    error::ScoreError,
};
use aval_credit::Cpf;
use aval_errors::{FieldCode, FieldViolation};
use aval_proto::{
    common::v1::Reason,
    score::v1::{
        AnswerReviewRequestRequest, Consultation, CreateReviewRequestRequest, DataCategory,
        DiscloseRequest, DisclosedScore, Disclosure, GetReviewRequestRequest,
        ListReviewRequestsRequest, ListReviewRequestsResponse, ReviewEvent,
        ReviewOutcome as PbOutcome, ReviewRequest, ReviewStatus as PbStatus,
        consumer_rights_service_server::{ConsumerRightsService, ConsumerRightsServiceServer},
    },
};
use aval_transport::{bearer::require_scope, time::to_timestamp};
use tonic::{Request, Response, Status};

pub const SERVICE: &str = "aval.score.v1.ConsumerRightsService";

pub struct RightsApi {
    app: RightsApp,
}

impl RightsApi {
    pub fn new(app: RightsApp) -> Self {
        Self { app }
    }

    pub fn into_server(self) -> ConsumerRightsServiceServer<Self> {
        ConsumerRightsServiceServer::new(self)
    }
}

fn cpf_of(document: &str) -> Result<Cpf, ScoreError> {
    Cpf::parse(document).map_err(|e| {
        ScoreError::InvalidDocument(vec![FieldViolation::new(
            "document",
            e.code(),
            e.to_string(),
        )])
    })
}

fn factors_to_pb(factors: Vec<Factor>) -> Vec<Reason> {
    factors
        .into_iter()
        .map(|f| Reason {
            code: f.code,
            description: f.description,
            impact: f.points,
        })
        .collect()
}

impl From<DomainDisclosure> for Disclosure {
    fn from(d: DomainDisclosure) -> Self {
        Self {
            score: d.score.map(|s| DisclosedScore {
                score: i32::try_from(s.score).unwrap_or(0),
                probability_of_default: s.probability_of_default,
                band: band_to_pb(s.band).into(),
                model_id: s.model_id,
                model_version: s.model_version,
                lowered_by: factors_to_pb(s.lowered_by),
                raised_by: factors_to_pb(s.raised_by),
            }),
            categories: d
                .categories
                .into_iter()
                .map(|c| DataCategory {
                    feature: c.feature,
                    description: c.description,
                    source: c.source.to_owned(),
                })
                .collect(),
            consultations: d
                .consultations
                .into_iter()
                .map(|c| Consultation {
                    tenant_id: c.tenant_id,
                    purpose: c.purpose,
                    consulted_at: Some(to_timestamp(c.consulted_at)),
                })
                .collect(),
            disclosed_at: Some(to_timestamp(d.disclosed_at)),
        }
    }
}

fn status_to_pb(status: ReviewStatus) -> PbStatus {
    match status {
        ReviewStatus::Open => PbStatus::Open,
        ReviewStatus::Answered => PbStatus::Answered,
    }
}

impl From<DomainReview> for ReviewRequest {
    fn from(r: DomainReview) -> Self {
        Self {
            id: r.id,
            document: r.cpf.digits().to_owned(),
            answer_id: r.answer_id,
            reason: r.reason,
            status: status_to_pb(r.status).into(),
            outcome: r.outcome.map(|o| {
                match o {
                    ReviewOutcome::Upheld => PbOutcome::Upheld,
                    ReviewOutcome::Revised => PbOutcome::Revised,
                }
                .into()
            }),
            events: r
                .events
                .into_iter()
                .map(|e| ReviewEvent {
                    status: status_to_pb(e.status).into(),
                    at: Some(to_timestamp(e.at)),
                    actor: e.actor,
                    note: e.note,
                })
                .collect(),
            created_at: Some(to_timestamp(r.created_at)),
            updated_at: Some(to_timestamp(r.updated_at)),
        }
    }
}

impl TryFrom<CreateReviewRequestRequest> for NewReviewRequest {
    type Error = ScoreError;

    fn try_from(request: CreateReviewRequestRequest) -> Result<Self, ScoreError> {
        let cpf = cpf_of(&request.document)?;
        let mut violations = Vec::new();
        let reason = required_text("reason", &request.reason, MAX_TEXT_CHARS, &mut violations);
        let answer_id = request.answer_id.filter(|a| !a.trim().is_empty());
        if !violations.is_empty() {
            return Err(ScoreError::InvalidRequest(violations));
        }
        Ok(Self {
            cpf,
            answer_id,
            reason,
        })
    }
}

impl TryFrom<AnswerReviewRequestRequest> for ReviewAnswer {
    type Error = ScoreError;

    fn try_from(request: AnswerReviewRequestRequest) -> Result<Self, ScoreError> {
        let mut violations = Vec::new();
        let outcome = match request.outcome() {
            PbOutcome::Upheld => Some(ReviewOutcome::Upheld),
            PbOutcome::Revised => Some(ReviewOutcome::Revised),
            PbOutcome::Unspecified => {
                violations.push(FieldViolation::new(
                    "outcome",
                    FieldCode::InvalidEnum,
                    "one of upheld, revised",
                ));
                None
            }
        };
        let analyst = required_text(
            "analyst",
            &request.analyst,
            MAX_ANALYST_CHARS,
            &mut violations,
        );
        let note = required_text("note", &request.note, MAX_TEXT_CHARS, &mut violations);
        match outcome {
            Some(outcome) if violations.is_empty() => Ok(Self {
                id: request.id,
                outcome,
                analyst,
                note,
            }),
            _ => Err(ScoreError::InvalidRequest(violations)),
        }
    }
}

#[tonic::async_trait]
impl ConsumerRightsService for RightsApi {
    async fn disclose(
        &self,
        request: Request<DiscloseRequest>,
    ) -> Result<Response<Disclosure>, Status> {
        let principal = require_scope(&request, CONSUMER_RIGHTS)?;
        let request = request.into_inner();
        let cpf = cpf_of(&request.document)?;
        let requester = Requester {
            tenant_id: principal.tenant_id,
            client_id: principal.client_id,
            purpose: Purpose::ConsumerDisclosure,
        };
        let disclosure = self
            .app
            .disclose(
                &requester,
                &cpf,
                &ModelChoice::parse(request.model.as_deref()),
            )
            .await?;
        Ok(Response::new(disclosure.into()))
    }

    async fn create_review_request(
        &self,
        request: Request<CreateReviewRequestRequest>,
    ) -> Result<Response<ReviewRequest>, Status> {
        let principal = require_scope(&request, CONSUMER_RIGHTS)?;
        let new = NewReviewRequest::try_from(request.into_inner())?;
        let review = self
            .app
            .open_review(&principal.tenant_id, &principal.client_id, new)
            .await?;
        Ok(Response::new(review.into()))
    }

    async fn get_review_request(
        &self,
        request: Request<GetReviewRequestRequest>,
    ) -> Result<Response<ReviewRequest>, Status> {
        let principal = match require_scope(&request, CONSUMER_RIGHTS) {
            Ok(principal) => principal,
            Err(_) => require_scope(&request, CONSUMER_REVIEWS)?,
        };
        let review = self
            .app
            .review(&principal.tenant_id, &request.get_ref().id)
            .await?;
        Ok(Response::new(review.into()))
    }

    async fn list_review_requests(
        &self,
        request: Request<ListReviewRequestsRequest>,
    ) -> Result<Response<ListReviewRequestsResponse>, Status> {
        let principal = require_scope(&request, CONSUMER_REVIEWS)?;
        let request = request.into_inner();
        let status = match request.status.map(PbStatus::try_from) {
            None => None,
            Some(Ok(PbStatus::Open)) => Some(ReviewStatus::Open),
            Some(Ok(PbStatus::Answered)) => Some(ReviewStatus::Answered),
            Some(_) => {
                return Err(ScoreError::InvalidRequest(vec![FieldViolation::new(
                    "status",
                    FieldCode::InvalidEnum,
                    "one of open, answered",
                )])
                .into());
            }
        };
        let page_size = match request.page_size {
            None => DEFAULT_PAGE_SIZE,
            Some(n) => match u64::try_from(n) {
                Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => n,
                _ => {
                    return Err(ScoreError::InvalidRequest(vec![FieldViolation::new(
                        "page_size",
                        FieldCode::OutOfRange,
                        format!("between 1 and {MAX_PAGE_SIZE}"),
                    )])
                    .into());
                }
            },
        };
        let (reviews, next) = self
            .app
            .reviews(
                &principal.tenant_id,
                status,
                page_size,
                request.page_token.as_deref().filter(|t| !t.is_empty()),
            )
            .await?;
        Ok(Response::new(ListReviewRequestsResponse {
            review_requests: reviews.into_iter().map(Into::into).collect(),
            next_page_token: next,
        }))
    }

    async fn answer_review_request(
        &self,
        request: Request<AnswerReviewRequestRequest>,
    ) -> Result<Response<ReviewRequest>, Status> {
        let principal = require_scope(&request, CONSUMER_REVIEWS)?;
        let answer = ReviewAnswer::try_from(request.into_inner())?;
        let review = self.app.answer_review(&principal.tenant_id, answer).await?;
        Ok(Response::new(review.into()))
    }
}
