//! Credit analysis: `POST /credit_analysis/legal_person` and
//! `POST /credit_analysis/natural_person` (QI Tech's bodies), `GET /credit_analysis/{id}`, and
//! `POST /credit_analysis/{id}/challenge_answer` (the completed body of a challenged analysis,
//! a company's or a person's: a CPF `document_number` makes it a person's).
//!
//! A body whose dates this edge cannot read still gets every violation in one answer: the
//! rest of it is sent to the service with `validate_only` (nothing decided, stored or billed)
//! and its findings join the edge's.

use super::Meta;
use crate::{
    AppState,
    dto::analysis::{
        AnalysisBody, ReadProposal, is_natural_person_body, parse_natural_person_proposal,
        parse_proposal,
    },
    error::ApiError,
    extract::Partner,
};
use aval_errors::{ErrorCode, FieldCode, FieldViolation};
use aval_proto::analysis::v1::{
    AnswerChallengeRequest, CreditAnalysis, GetAnalysisRequest, LegalPersonProposal,
    NaturalPersonProposal, SubmitLegalPersonAnalysisRequest, SubmitNaturalPersonAnalysisRequest,
    analysis_service_client::AnalysisServiceClient,
};
use aval_transport::client::MeshChannel;
use axum::{
    Json,
    body::Bytes,
    extract::{Path, State},
};
use serde::Serialize;
use std::collections::HashSet;

#[derive(Serialize)]
pub struct AnalysisAnswer {
    #[serde(flatten)]
    pub analysis: AnalysisBody,
    pub meta: Meta,
}

/// A proposal of one kind as the routes handle it: read from its body, sent to the service.
trait KindOfProposal: Sized + Send + 'static {
    fn parse(body: &[u8]) -> Result<ReadProposal<Self>, crate::dto::analysis::JsonError>;
    fn id_mut(&mut self) -> &mut Option<String>;
    async fn submit(
        state: &AppState,
        partner: &Partner,
        proposal: Self,
        validate_only: bool,
    ) -> Result<CreditAnalysis, tonic::Status>;
    fn challenge_answer(self) -> AnswerChallengeRequest;
}

impl KindOfProposal for LegalPersonProposal {
    fn parse(body: &[u8]) -> Result<ReadProposal<Self>, crate::dto::analysis::JsonError> {
        parse_proposal(body)
    }

    fn id_mut(&mut self) -> &mut Option<String> {
        &mut self.id
    }

    async fn submit(
        state: &AppState,
        partner: &Partner,
        proposal: Self,
        validate_only: bool,
    ) -> Result<CreditAnalysis, tonic::Status> {
        client(state)
            .submit_legal_person_analysis(partner.request(SubmitLegalPersonAnalysisRequest {
                proposal: Some(proposal),
                validate_only,
            }))
            .await
            .map(tonic::Response::into_inner)
    }

    fn challenge_answer(self) -> AnswerChallengeRequest {
        AnswerChallengeRequest {
            proposal: Some(self),
            ..AnswerChallengeRequest::default()
        }
    }
}

impl KindOfProposal for NaturalPersonProposal {
    fn parse(body: &[u8]) -> Result<ReadProposal<Self>, crate::dto::analysis::JsonError> {
        parse_natural_person_proposal(body)
    }

    fn id_mut(&mut self) -> &mut Option<String> {
        &mut self.id
    }

    async fn submit(
        state: &AppState,
        partner: &Partner,
        proposal: Self,
        validate_only: bool,
    ) -> Result<CreditAnalysis, tonic::Status> {
        client(state)
            .submit_natural_person_analysis(partner.request(SubmitNaturalPersonAnalysisRequest {
                proposal: Some(proposal),
                validate_only,
            }))
            .await
            .map(tonic::Response::into_inner)
    }

    fn challenge_answer(self) -> AnswerChallengeRequest {
        AnswerChallengeRequest {
            natural_person_proposal: Some(self),
            ..AnswerChallengeRequest::default()
        }
    }
}

/// `POST /credit_analysis/legal_person`.
pub async fn submit(
    State(state): State<AppState>,
    partner: Partner,
    body: Bytes,
) -> Result<Json<AnalysisAnswer>, ApiError> {
    submit_kind::<LegalPersonProposal>(&state, &partner, &body).await
}

/// `POST /credit_analysis/natural_person`.
pub async fn submit_natural_person(
    State(state): State<AppState>,
    partner: Partner,
    body: Bytes,
) -> Result<Json<AnalysisAnswer>, ApiError> {
    submit_kind::<NaturalPersonProposal>(&state, &partner, &body).await
}

async fn submit_kind<P: KindOfProposal>(
    state: &AppState,
    partner: &Partner,
    body: &[u8],
) -> Result<Json<AnalysisAnswer>, ApiError> {
    let proposal = read_proposal::<P>(state, partner, body).await?;
    let analysis = P::submit(state, partner, proposal, false).await?;
    Ok(Json(AnalysisAnswer {
        analysis: analysis.into(),
        meta: partner.meta(),
    }))
}

/// `POST /credit_analysis/{id}/challenge_answer`: the completed proposal (QI's body) for a
/// challenged analysis; the body's `id`, when given, must be the path's.
pub async fn answer_challenge(
    State(state): State<AppState>,
    partner: Partner,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<AnalysisAnswer>, ApiError> {
    if is_natural_person_body(&body) {
        answer_challenge_kind::<NaturalPersonProposal>(&state, &partner, id, &body).await
    } else {
        answer_challenge_kind::<LegalPersonProposal>(&state, &partner, id, &body).await
    }
}

async fn answer_challenge_kind<P: KindOfProposal>(
    state: &AppState,
    partner: &Partner,
    id: String,
    body: &[u8],
) -> Result<Json<AnalysisAnswer>, ApiError> {
    let mut proposal = read_proposal::<P>(state, partner, body).await?;
    let given = proposal.id_mut();
    match given.as_deref() {
        None | Some("") => *given = Some(id),
        Some(given) if given == id => {}
        Some(_) => {
            return Err(ApiError::invalid_field(
                ErrorCode::InvalidProposal,
                "id",
                FieldCode::Invalid,
                "must be the analysis id in the path",
            ));
        }
    }
    let analysis = client(state)
        .answer_challenge(partner.request(proposal.challenge_answer()))
        .await?
        .into_inner();
    Ok(Json(AnalysisAnswer {
        analysis: analysis.into(),
        meta: partner.meta(),
    }))
}

/// analysis-service, for every analysis route.
pub(crate) fn client(state: &AppState) -> AnalysisServiceClient<MeshChannel> {
    AnalysisServiceClient::new(state.upstreams.analysis.channel.clone())
}

/// A proposal body as the proto carries it. One whose dates this edge cannot read is refused
/// here with every violation: the rest of it is checked by the service (`validate_only`:
/// nothing decided, stored or billed) and its findings join the edge's.
async fn read_proposal<P: KindOfProposal>(
    state: &AppState,
    partner: &Partner,
    body: &[u8],
) -> Result<P, ApiError> {
    let ReadProposal {
        proposal,
        format_violations,
    } = P::parse(body).map_err(|e| {
        ApiError::invalid_field(
            ErrorCode::InvalidBody,
            &e.field,
            FieldCode::InvalidJson,
            e.message,
        )
    })?;
    if format_violations.is_empty() {
        return Ok(proposal);
    }
    let answer = P::submit(state, partner, proposal, true).await;
    Err(invalid_proposal(format_violations, answer.err()))
}

pub async fn get(
    State(state): State<AppState>,
    partner: Partner,
    Path(id): Path<String>,
) -> Result<Json<AnalysisAnswer>, ApiError> {
    let analysis = client(&state)
        .get_analysis(partner.request(GetAnalysisRequest {
            id,
            tenant_id: String::new(),
        }))
        .await?
        .into_inner();
    Ok(Json(AnalysisAnswer {
        analysis: analysis.into(),
        meta: partner.meta(),
    }))
}

/// The edge's format violations, then the service's findings about the rest of the body
/// (`refusal`, when it refused it). The service calls a value the edge left out `REQUIRED`;
/// the edge already named that field, more precisely, so only its own entry is kept. The
/// service's other refusals (an invalid token, a missing scope) are answered as they are; a
/// service that could not be asked leaves the edge's findings alone.
fn invalid_proposal(format: Vec<FieldViolation>, refusal: Option<tonic::Status>) -> ApiError {
    const MESSAGE: &str = "the proposal is invalid";
    let Some(refusal) = refusal.map(ApiError::from) else {
        return ApiError::invalid_fields(ErrorCode::InvalidProposal, MESSAGE, format);
    };
    if refusal.code != ErrorCode::InvalidProposal {
        return if refusal.status().is_server_error() {
            ApiError::invalid_fields(ErrorCode::InvalidProposal, MESSAGE, format)
        } else {
            refusal
        };
    }
    let named: HashSet<String> = format.iter().map(|v| v.field.clone()).collect();
    let mut details = format;
    details.extend(
        refusal
            .details
            .into_iter()
            .filter(|v| !named.contains(&v.field)),
    );
    ApiError::invalid_fields(ErrorCode::InvalidProposal, &refusal.message, details)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aval_transport::status::{invalid_argument, status};

    fn violation(field: &str, code: FieldCode) -> FieldViolation {
        FieldViolation::new(field, code, "why")
    }

    fn fields(error: &ApiError) -> Vec<(&str, FieldCode)> {
        error
            .details
            .iter()
            .map(|v| (v.field.as_str(), v.code))
            .collect()
    }

    #[test]
    fn format_violations_join_the_services_findings() {
        let format = vec![violation("constitution_date", FieldCode::InvalidDate)];
        let service = invalid_argument(
            ErrorCode::InvalidProposal,
            "the proposal is invalid",
            &[
                violation("constitution_date", FieldCode::Required),
                violation("document_number", FieldCode::InvalidCnpj),
            ],
        );
        let error = invalid_proposal(format.clone(), Some(service));
        assert_eq!(error.code, ErrorCode::InvalidProposal);
        assert_eq!(
            fields(&error),
            [
                ("constitution_date", FieldCode::InvalidDate),
                ("document_number", FieldCode::InvalidCnpj),
            ]
        );

        // Nothing else wrong: the edge's findings alone.
        let error = invalid_proposal(format.clone(), None);
        assert_eq!(error.code, ErrorCode::InvalidProposal);
        assert_eq!(
            fields(&error),
            [("constitution_date", FieldCode::InvalidDate)]
        );

        // The service down: still the edge's findings, not a 503.
        let error = invalid_proposal(
            format.clone(),
            Some(tonic::Status::unavailable("connection refused")),
        );
        assert_eq!(error.code, ErrorCode::InvalidProposal);

        // The partner's token refused: that comes first.
        let error = invalid_proposal(
            format,
            Some(status(ErrorCode::Unauthenticated, "the token has expired")),
        );
        assert_eq!(error.code, ErrorCode::Unauthenticated);
    }
}
