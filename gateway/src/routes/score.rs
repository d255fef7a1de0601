//! Consumer scores: `POST /customers/v1/customscores` (Claro's headers), `POST /v1/scores`
//! (Aval's JSON body), and `GET /v1/scores/{answer_id}` (a delivered answer again).

use super::Meta;
use crate::{
    AppState,
    dto::names::enum_name,
    error::ApiError,
    extract::{JsonBody, Partner},
};
use aval_errors::{ErrorCode, FieldCode};
use aval_proto::score::v1::{
    GetAnswerRequest, GetScoreRequest, GetScoreResponse, score_service_client::ScoreServiceClient,
};
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
