//! Legal-person analysis: `POST /credit_analysis/legal_person` (QI Tech's body) and
//! `GET /credit_analysis/{id}`.

use super::Meta;
use crate::{
    AppState, credentials,
    dto::analysis::{AnalysisBody, parse_proposal},
    error::ApiError,
    grpc,
};
use aval_proto::analysis::v1::{
    GetAnalysisRequest, SubmitLegalPersonAnalysisRequest,
    analysis_service_client::AnalysisServiceClient,
};
use axum::{
    Json,
    body::Bytes,
    extract::{Path, State},
    http::HeaderMap,
};
use serde::Serialize;
use std::time::Instant;

#[derive(Serialize)]
pub struct AnalysisAnswer {
    #[serde(flatten)]
    pub analysis: AnalysisBody,
    pub meta: Meta,
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<AnalysisAnswer>, ApiError> {
    let started = Instant::now();
    let bearer = credentials::require_bearer(&headers)?;
    let proposal = parse_proposal(&body).map_err(|e| {
        ApiError::invalid_field("INVALID_BODY", &e.field, "INVALID_JSON", e.message)
    })?;
    let request_id = grpc::request_id(&headers);
    let message = SubmitLegalPersonAnalysisRequest {
        proposal: Some(proposal),
    };
    let analysis = AnalysisServiceClient::new(state.upstreams.analysis.channel.clone())
        .submit_legal_person_analysis(grpc::request(message, Some(bearer), &request_id))
        .await?
        .into_inner();
    Ok(Json(AnalysisAnswer {
        analysis: analysis.into(),
        meta: Meta::new(request_id, started),
    }))
}

pub async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<AnalysisAnswer>, ApiError> {
    let started = Instant::now();
    let bearer = credentials::require_bearer(&headers)?;
    let request_id = grpc::request_id(&headers);
    let analysis = AnalysisServiceClient::new(state.upstreams.analysis.channel.clone())
        .get_analysis(grpc::request(
            GetAnalysisRequest { id },
            Some(bearer),
            &request_id,
        ))
        .await?
        .into_inner();
    Ok(Json(AnalysisAnswer {
        analysis: analysis.into(),
        meta: Meta::new(request_id, started),
    }))
}
