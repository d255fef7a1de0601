//! Consumer scores: `POST /customers/v1/customscores` (Claro's headers), `POST /v1/scores`
//! (Aval's JSON body), `GET /v1/scores/{answer_id}` (a delivered answer again), and
//! `PUT /v1/scores/{answer_id}` `{credit_proposal_status, event_date}` (what became of the credit
//! granted on it, as QI's outcome feedback; `score:write`).

use super::{Meta, lifecycle::ActorBody};
use crate::{
    AppState,
    dto::{days::format_day, names::enum_name, outcome::OutcomeBody},
    error::ApiError,
    extract::{JsonBody, Partner},
};
use aval_errors::{ErrorCode, FieldCode};
use aval_proto::score::v1::{
    GetAnswerRequest, GetScoreRequest, GetScoreResponse, ReportScoreOutcomeRequest,
    ScoreOutcomeEvent, score_service_client::ScoreServiceClient,
};
use aval_transport::time::rfc3339;
use axum::{
    Json,
    extract::{Path, State},
    http::HeaderMap,
};
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
pub struct ScoreBody {
    /// 0..1000, higher = lower risk.
    pub score: i32,
    pub band: String,
    pub probability_of_default: f64,
    /// The main elements behind the score, most important first (Lei 12.414 art. 5 IV).
    pub reasons: Vec<ReasonBody>,
    pub model: ModelBody,
    pub answer_id: String,
    pub meta: Meta,
}

#[derive(Serialize)]
pub struct ReasonBody {
    pub code: String,
    pub description: String,
    pub impact: f64,
}

#[derive(Serialize)]
pub struct ModelBody {
    pub id: String,
    pub version: i32,
}

async fn score(
    state: &AppState,
    partner: &Partner,
    message: GetScoreRequest,
) -> Result<Json<ScoreBody>, ApiError> {
    let message = GetScoreRequest {
        request_id: partner.request_id.clone(),
        ..message
    };
    let answer: GetScoreResponse = ScoreServiceClient::new(state.upstreams.score.channel.clone())
        .get_score(partner.request(message))
        .await?
        .into_inner();
    Ok(Json(ScoreBody::new(answer, partner)))
}

impl ScoreBody {
    fn new(answer: GetScoreResponse, partner: &Partner) -> Self {
        Self {
            score: answer.score,
            band: enum_name(answer.band().as_str_name(), "RISK_BAND_"),
            probability_of_default: answer.probability_of_default,
            reasons: answer
                .reasons
                .into_iter()
                .map(|r| ReasonBody {
                    code: r.code,
                    description: r.description,
                    impact: r.impact,
                })
                .collect(),
            model: ModelBody {
                id: answer.model_id,
                version: answer.model_version,
            },
            answer_id: answer.answer_id,
            meta: partner.meta(),
        }
    }
}

/// A delivered answer again, every field as first delivered (`meta` is this request's). Free,
/// and not a new consultation of the CPF.
pub async fn answer(
    State(state): State<AppState>,
    partner: Partner,
    Path(answer_id): Path<String>,
) -> Result<Json<ScoreBody>, ApiError> {
    let answer = ScoreServiceClient::new(state.upstreams.score.channel.clone())
        .get_answer(partner.request(GetAnswerRequest { answer_id }))
        .await?
        .into_inner();
    Ok(Json(ScoreBody::new(answer, &partner)))
}

/// A delivered answer with what became of its credit.
#[derive(Serialize)]
pub struct ScoreOutcomeBody {
    /// The answer, every field as first delivered.
    #[serde(flatten)]
    pub answer: ScoreBody,
    /// What the lender last reported of the credit (`created`, `disbursed`, `paid`,
    /// `defaulted`), QI's `credit_proposal_status`.
    pub credit_proposal_status: String,
    /// The day of that report, `YYYY-MM-DD`.
    pub event_date: Option<String>,
    /// Every report, in order.
    pub history: Vec<OutcomeEventBody>,
}

#[derive(Serialize)]
pub struct OutcomeEventBody {
    pub sequence: u32,
    pub from: Option<String>,
    pub to: String,
    pub event_date: Option<String>,
    /// `partner` (its client id) or `operator`.
    pub actor: ActorBody,
    pub occurred_at: Option<String>,
}

impl From<ScoreOutcomeEvent> for OutcomeEventBody {
    fn from(e: ScoreOutcomeEvent) -> Self {
        Self {
            sequence: e.sequence,
            from: e.from,
            to: e.to,
            event_date: e.event_date.as_ref().map(format_day),
            actor: ActorBody {
                kind: e.actor_type,
                id: e.actor_id,
                via: None,
            },
            occurred_at: e.occurred_at.as_ref().and_then(rfc3339),
        }
    }
}

/// The lender reports what became of the credit granted on a delivered answer of its tenant.
pub async fn report_outcome(
    State(state): State<AppState>,
    partner: Partner,
    Path(answer_id): Path<String>,
    JsonBody(body): JsonBody<OutcomeBody>,
) -> Result<Json<ScoreOutcomeBody>, ApiError> {
    let (credit_proposal_status, event_date) = body.read()?;
    let outcome = ScoreServiceClient::new(state.upstreams.score.channel.clone())
        .report_score_outcome(partner.request(ReportScoreOutcomeRequest {
            answer_id,
            credit_proposal_status,
            event_date,
            tenant_id: String::new(),
        }))
        .await?
        .into_inner();
    Ok(Json(ScoreOutcomeBody {
        answer: ScoreBody::new(outcome.answer.unwrap_or_default(), &partner),
        credit_proposal_status: outcome.credit_proposal_status,
        event_date: outcome.credit_event_date.as_ref().map(format_day),
        history: outcome
            .history
            .into_iter()
            .map(OutcomeEventBody::from)
            .collect(),
    }))
}

/// A header's trimmed text; absent when missing or blank.
fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// Claro's call: the CPF in the `document` header, the model in `score`, the partner's
/// customer id in `X-CustomerID`.
pub async fn custom_score(
    State(state): State<AppState>,
    partner: Partner,
    headers: HeaderMap,
) -> Result<Json<ScoreBody>, ApiError> {
    let Some(document) = header(&headers, "document") else {
        return Err(ApiError::invalid_field(
            ErrorCode::InvalidDocument,
            "document",
            FieldCode::Required,
            "the `document` header must carry the CPF",
        ));
    };
    let message = GetScoreRequest {
        document,
        model: header(&headers, "score"),
        customer_id: header(&headers, "x-customerid"),
        ..GetScoreRequest::default()
    };
    score(&state, &partner, message).await
}

#[derive(Deserialize)]
pub struct ScoreRequestBody {
    document: Option<String>,
    model: Option<String>,
    customer_id: Option<String>,
}

/// Aval's JSON call: `{"document": "...", "model": "..."}`.
pub async fn json_score(
    State(state): State<AppState>,
    partner: Partner,
    JsonBody(body): JsonBody<ScoreRequestBody>,
) -> Result<Json<ScoreBody>, ApiError> {
    let document = super::body_cpf(body.document)?;
    let message = GetScoreRequest {
        document,
        model: body.model,
        customer_id: body.customer_id,
        ..GetScoreRequest::default()
    };
    score(&state, &partner, message).await
}
