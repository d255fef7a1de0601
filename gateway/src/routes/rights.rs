//! The consumer's rights (Lei 12.414 art. 5; LGPD art. 20), routes a tenant puts behind its own
//! consumer channel and analyst desk. The CPF travels in the body, never in the URL (URLs end
//! up in proxies' logs).
//!
//! - `POST /v1/consumer_rights/disclosure` `{document, model?}`: score, factors, data used,
//!   who consulted the CPF in six months (`consumer:rights`);
//! - `POST /v1/consumer_rights/review_requests` `{document, answer_id?, reason}` (`201`) and
//!   `GET /v1/consumer_rights/review_requests/{id}` (`consumer:rights` or `consumer:reviews`);
//! - `GET /v1/consumer_rights/review_requests?status=&page_size=&page_token=` and
//!   `POST /v1/consumer_rights/review_requests/{id}/answer` `{outcome, analyst, note}`
//!   (`consumer:reviews`).

use super::{Meta, score::ModelBody};
use crate::{
    AppState,
    dto::{analysis::ReasonBody, names::enum_name},
    error::ApiError,
    extract::{JsonBody, Partner},
};
use aval_errors::{ErrorCode, FieldCode};
use aval_proto::score::v1::{
    AnswerReviewRequestRequest, CreateReviewRequestRequest, DiscloseRequest, Disclosure,
    GetReviewRequestRequest, ListReviewRequestsRequest, ReviewOutcome, ReviewRequest, ReviewStatus,
    consumer_rights_service_client::ConsumerRightsServiceClient,
};
use aval_transport::{client::MeshChannel, time::rfc3339};
use axum::{
    Json,
    extract::{Path, Query, State},
    http::StatusCode,
};
use serde::{Deserialize, Serialize};

fn client(state: &AppState) -> ConsumerRightsServiceClient<MeshChannel> {
    ConsumerRightsServiceClient::new(state.upstreams.score.channel.clone())
}

#[derive(Serialize)]
pub struct DisclosedScoreBody {
    pub score: i32,
    pub band: String,
    pub probability_of_default: f64,
    pub model: ModelBody,
    /// What lowered the score, most first, in plain Portuguese.
    pub lowered_by: Vec<ReasonBody>,
    /// What raised it, most first.
    pub raised_by: Vec<ReasonBody>,
}

#[derive(Serialize)]
pub struct CategoryBody {
    pub feature: String,
    pub description: String,
    pub source: String,
}

#[derive(Serialize)]
pub struct ConsultationBody {
    pub tenant: String,
    pub purpose: String,
    pub consulted_at: Option<String>,
}

#[derive(Serialize)]
pub struct DisclosureBody {
    /// `null` when there is no data to score the CPF with.
    pub score: Option<DisclosedScoreBody>,
    pub categories: Vec<CategoryBody>,
    /// Who consulted the CPF in the last six months, newest first.
    pub consultations: Vec<ConsultationBody>,
    pub disclosed_at: Option<String>,
    pub meta: Meta,
}

impl DisclosureBody {
    fn new(d: Disclosure, meta: Meta) -> Self {
        Self {
            score: d.score.map(|s| DisclosedScoreBody {
                score: s.score,
                band: enum_name(s.band().as_str_name(), "RISK_BAND_"),
                probability_of_default: s.probability_of_default,
                model: ModelBody {
                    id: s.model_id,
                    version: s.model_version,
                },
                lowered_by: s.lowered_by.into_iter().map(ReasonBody::from).collect(),
                raised_by: s.raised_by.into_iter().map(ReasonBody::from).collect(),
            }),
            categories: d
                .categories
                .into_iter()
                .map(|c| CategoryBody {
                    feature: c.feature,
                    description: c.description,
                    source: c.source,
                })
                .collect(),
            consultations: d
                .consultations
                .into_iter()
                .map(|c| ConsultationBody {
                    tenant: c.tenant_id,
                    purpose: c.purpose,
                    consulted_at: c.consulted_at.as_ref().and_then(rfc3339),
                })
                .collect(),
            disclosed_at: d.disclosed_at.as_ref().and_then(rfc3339),
            meta,
        }
    }
}

#[derive(Serialize)]
pub struct EventBody {
    pub status: String,
    pub at: Option<String>,
    pub actor: String,
    pub note: String,
}

#[derive(Serialize)]
pub struct ReviewBody {
    pub id: String,
    pub document: String,
    pub answer_id: Option<String>,
    pub reason: String,
    pub status: String,
    pub outcome: Option<String>,
    /// Every step, oldest first.
    pub events: Vec<EventBody>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

fn status_name(status: ReviewStatus) -> String {
    enum_name(status.as_str_name(), "REVIEW_STATUS_")
}

impl From<ReviewRequest> for ReviewBody {
    fn from(r: ReviewRequest) -> Self {
        Self {
            status: status_name(r.status()),
            outcome: r
                .outcome
                .and_then(|o| ReviewOutcome::try_from(o).ok())
                .map(|o| enum_name(o.as_str_name(), "REVIEW_OUTCOME_")),
            events: r
                .events
                .into_iter()
                .map(|e| EventBody {
                    status: status_name(e.status()),
                    at: e.at.as_ref().and_then(rfc3339),
                    actor: e.actor,
                    note: e.note,
                })
                .collect(),
            created_at: r.created_at.as_ref().and_then(rfc3339),
            updated_at: r.updated_at.as_ref().and_then(rfc3339),
            id: r.id,
            document: r.document,
            answer_id: r.answer_id,
            reason: r.reason,
        }
    }
}

#[derive(Serialize)]
pub struct ReviewAnswer {
    #[serde(flatten)]
    pub review: ReviewBody,
    pub meta: Meta,
}

impl ReviewAnswer {
    fn new(review: ReviewRequest, partner: &Partner) -> Json<Self> {
        Json(Self {
            review: review.into(),
            meta: partner.meta(),
        })
    }
}

#[derive(Deserialize)]
pub struct DisclosureRequest {
    document: Option<String>,
    model: Option<String>,
}

pub async fn disclose(
    State(state): State<AppState>,
    partner: Partner,
    JsonBody(body): JsonBody<DisclosureRequest>,
) -> Result<Json<DisclosureBody>, ApiError> {
    let document = super::body_cpf(body.document)?;
    let disclosure = client(&state)
        .disclose(partner.request(DiscloseRequest {
            document,
            model: body.model,
        }))
        .await?
        .into_inner();
    Ok(Json(DisclosureBody::new(disclosure, partner.meta())))
}

#[derive(Deserialize)]
pub struct NewReview {
    document: Option<String>,
    answer_id: Option<String>,
    reason: Option<String>,
}

pub async fn open_review(
    State(state): State<AppState>,
    partner: Partner,
    JsonBody(body): JsonBody<NewReview>,
) -> Result<(StatusCode, Json<ReviewAnswer>), ApiError> {
    let document = super::body_cpf(body.document)?;
    let review = client(&state)
        .create_review_request(partner.request(CreateReviewRequestRequest {
            document,
            answer_id: body.answer_id,
            reason: body.reason.unwrap_or_default(),
        }))
        .await?
        .into_inner();
    Ok((StatusCode::CREATED, ReviewAnswer::new(review, &partner)))
}

pub async fn review(
    State(state): State<AppState>,
    partner: Partner,
    Path(id): Path<String>,
) -> Result<Json<ReviewAnswer>, ApiError> {
    let review = client(&state)
        .get_review_request(partner.request(GetReviewRequestRequest { id }))
        .await?
        .into_inner();
    Ok(ReviewAnswer::new(review, &partner))
}

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    page_size: Option<String>,
    page_token: Option<String>,
}

#[derive(Serialize)]
pub struct ReviewPage {
    pub review_requests: Vec<ReviewBody>,
    /// Absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
    pub meta: Meta,
}

pub async fn reviews(
    State(state): State<AppState>,
    partner: Partner,
    Query(query): Query<ListQuery>,
) -> Result<Json<ReviewPage>, ApiError> {
    let status = match query.status.as_deref() {
        None | Some("") => None,
        Some("open") => Some(ReviewStatus::Open),
        Some("answered") => Some(ReviewStatus::Answered),
        Some(_) => {
            return Err(ApiError::invalid_field(
                ErrorCode::InvalidArgument,
                "status",
                FieldCode::InvalidEnum,
                "one of open, answered",
            ));
        }
    };
    let page_size = match query.page_size.as_deref() {
        None | Some("") => None,
        Some(text) => Some(text.parse::<i32>().map_err(|_| {
            ApiError::invalid_field(
                ErrorCode::InvalidArgument,
                "page_size",
                FieldCode::OutOfRange,
                "a whole number between 1 and 100",
            )
        })?),
    };
    let page = client(&state)
        .list_review_requests(partner.request(ListReviewRequestsRequest {
            status: status.map(Into::into),
            page_size,
            page_token: query.page_token,
        }))
        .await?
        .into_inner();
    Ok(Json(ReviewPage {
        review_requests: page.review_requests.into_iter().map(Into::into).collect(),
        next_page_token: page.next_page_token,
        meta: partner.meta(),
    }))
}

#[derive(Deserialize)]
pub struct AnswerBody {
    outcome: Option<String>,
    analyst: Option<String>,
    note: Option<String>,
}

pub async fn answer_review(
    State(state): State<AppState>,
    partner: Partner,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<AnswerBody>,
) -> Result<Json<ReviewAnswer>, ApiError> {
    let outcome = match body.outcome.as_deref() {
        Some("upheld") => ReviewOutcome::Upheld,
        Some("revised") => ReviewOutcome::Revised,
        _ => {
            return Err(ApiError::invalid_field(
                ErrorCode::InvalidArgument,
                "outcome",
                FieldCode::InvalidEnum,
                "one of upheld, revised",
            ));
        }
    };
    let review = client(&state)
        .answer_review_request(partner.request(AnswerReviewRequestRequest {
            id,
            outcome: outcome.into(),
            analyst: body.analyst.unwrap_or_default(),
            note: body.note.unwrap_or_default(),
        }))
        .await?
        .into_inner();
    Ok(ReviewAnswer::new(review, &partner))
}
