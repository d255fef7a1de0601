//! Legal-person analysis: `POST /credit_analysis/legal_person` (QI Tech's body) and
//! `GET /credit_analysis/{id}`.

use super::Meta;
use crate::{
    AppState,
    dto::analysis::{AnalysisBody, parse_proposal},
    error::ApiError,
    extract::Partner,
};
use aval_errors::{ErrorCode, FieldCode};
use aval_proto::analysis::v1::{
    GetAnalysisRequest, SubmitLegalPersonAnalysisRequest,
    analysis_service_client::AnalysisServiceClient,
};
use axum::{
    Json,
    body::Bytes,
    extract::{Path, State},
};
use serde::Serialize;

#[derive(Serialize)]
pub struct AnalysisAnswer {
    #[serde(flatten)]
    pub analysis: AnalysisBody,
    pub meta: Meta,
}

pub async fn submit(
    State(state): State<AppState>,
    partner: Partner,
    body: Bytes,
) -> Result<Json<AnalysisAnswer>, ApiError> {
    let proposal = parse_proposal(&body).map_err(|e| {
        ApiError::invalid_field(
            ErrorCode::InvalidBody,
            &e.field,
            FieldCode::InvalidJson,
            e.message,
        )
    })?;
    let message = SubmitLegalPersonAnalysisRequest {
        proposal: Some(proposal),
    };
    let analysis = AnalysisServiceClient::new(state.upstreams.analysis.channel.clone())
        .submit_legal_person_analysis(partner.request(message))
        .await?
        .into_inner();
    Ok(Json(AnalysisAnswer {
        analysis: analysis.into(),
        meta: partner.meta(),
    }))
}

pub async fn get(
    State(state): State<AppState>,
    partner: Partner,
    Path(id): Path<String>,
) -> Result<Json<AnalysisAnswer>, ApiError> {
    let analysis = AnalysisServiceClient::new(state.upstreams.analysis.channel.clone())
        .get_analysis(partner.request(GetAnalysisRequest { id }))
        .await?
        .into_inner();
    Ok(Json(AnalysisAnswer {
        analysis: analysis.into(),
        meta: partner.meta(),
    }))
}
