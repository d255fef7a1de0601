//! Everything that can go wrong in analysis-service, mapped to a gRPC status in one place.

use crate::domain::lifecycle::InvalidTransition;
use aval_errors::{ErrorCode, FieldViolation};
use aval_transport::status::{internal, invalid_argument, status};
use tonic::Status;

#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    #[error("the proposal is invalid")]
    InvalidProposal(Vec<FieldViolation>),
    #[error("the request is invalid")]
    InvalidRequest(Vec<FieldViolation>),
    #[error(transparent)]
    InvalidTransition(InvalidTransition),
    #[error("analysis `{0}` kept changing while this step was applied; retry")]
    Contention(String),
    #[error("analysis `{0}` cannot be replayed: {1}")]
    Unreplayable(String, String),
    #[error("policy {0} is already published with a different document; publish a new version")]
    PolicyExists(String),
    #[error("proposal `{0}` was already submitted with a different body")]
    ProposalConflict(String),
    #[error("no analysis `{0}`")]
    NotFound(String),
    #[error("the plan does not allow more answers ({0})")]
    QuotaExceeded(String),
    #[error("partner scores are unavailable; retry later")]
    ScoresUnavailable,
    /// score-service refused analysis-service itself (its gRPC code): a deployment mistake.
    #[error("score-service refused a partner score lookup ({0})")]
    ScoresRefused(String),
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("stored analysis is unreadable: {0}")]
    Corrupt(String),
    #[error("analysis cannot be encoded for storage: {0}")]
    Encode(#[from] serde_json::Error),
}

impl From<AnalysisError> for Status {
    fn from(error: AnalysisError) -> Self {
        let message = error.to_string();
        match error {
            AnalysisError::InvalidProposal(v) => {
                invalid_argument(ErrorCode::InvalidProposal, &message, &v)
            }
            AnalysisError::InvalidRequest(v) => {
                invalid_argument(ErrorCode::InvalidArgument, &message, &v)
            }
            AnalysisError::InvalidTransition(_) => status(ErrorCode::InvalidTransition, message),
            AnalysisError::Contention(_) => status(ErrorCode::Unavailable, message),
            AnalysisError::Unreplayable(..) => status(ErrorCode::FailedPrecondition, message),
            AnalysisError::PolicyExists(_) => status(ErrorCode::AlreadyExists, message),
            AnalysisError::ProposalConflict(_) => status(ErrorCode::ProposalConflict, message),
            AnalysisError::NotFound(_) => status(ErrorCode::NotFound, message),
            AnalysisError::QuotaExceeded(_) => status(ErrorCode::QuotaExceeded, message),
            AnalysisError::ScoresUnavailable => status(ErrorCode::ScoresUnavailable, message),
            AnalysisError::ScoresRefused(_) => internal("analysis-service partner scores", &error),
            AnalysisError::Db(e) => internal("analysis-service database failure", &e),
            AnalysisError::Corrupt(_) => internal("analysis-service stored data", &error),
            AnalysisError::Encode(e) => internal("analysis-service encoding", &e),
        }
    }
}
