//! Everything that can go wrong in score-service, mapped to a gRPC status in one place.

use crate::domain::model::Unscorable;
use aval_errors::{ErrorCode, FieldViolation};
use aval_transport::status::{internal, invalid_argument, status};
use tonic::Status;

#[derive(Debug, thiserror::Error)]
pub enum ScoreError {
    #[error("the document is not a valid CPF")]
    InvalidDocument(Vec<FieldViolation>),
    #[error("invalid request")]
    InvalidRequest(Vec<FieldViolation>),
    #[error("the model cannot be published")]
    InvalidModel(Vec<FieldViolation>),
    #[error("no score model `{0}`")]
    ModelNotFound(String),
    /// Not found answers are free: nothing is metered.
    #[error("no data for this CPF")]
    CpfNotFound,
    /// Free as well: nothing was delivered.
    #[error("not enough data about this CPF for this model: {0}")]
    InsufficientData(#[from] Unscorable),
    #[error("no such answer")]
    AnswerNotFound,
    /// A disclosure for a CPF the tenant neither holds data about nor got an answer about.
    #[error("you hold no data about this CPF and got no answer about it")]
    NoRelationship,
    #[error("no such review request")]
    ReviewNotFound,
    #[error("{0}")]
    ReviewClosed(String),
    #[error("the plan does not allow more answers ({0})")]
    QuotaExceeded(String),
    #[error("{0}")]
    Conflict(String),
    /// A report on an answer's credit that its current status does not allow.
    #[error("{0}")]
    InvalidTransition(String),
    #[error("answer `{0}` kept changing while this report was applied; retry")]
    Contention(String),
    /// A model stored at publication no longer loads: a bug, never the caller's fault.
    #[error("stored model {0}")]
    StoredModel(String),
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
}

impl From<ScoreError> for Status {
    fn from(error: ScoreError) -> Self {
        let message = error.to_string();
        match error {
            ScoreError::InvalidDocument(v) => {
                invalid_argument(ErrorCode::InvalidDocument, &message, &v)
            }
            ScoreError::InvalidRequest(v) | ScoreError::InvalidModel(v) => {
                invalid_argument(ErrorCode::InvalidArgument, &message, &v)
            }
            ScoreError::ModelNotFound(_) => status(ErrorCode::ModelNotFound, message),
            ScoreError::CpfNotFound => status(ErrorCode::CpfNotFound, message),
            ScoreError::InsufficientData(_) => status(ErrorCode::InsufficientData, message),
            ScoreError::AnswerNotFound
            | ScoreError::ReviewNotFound
            | ScoreError::NoRelationship => status(ErrorCode::NotFound, message),
            ScoreError::ReviewClosed(_) => status(ErrorCode::FailedPrecondition, message),
            ScoreError::QuotaExceeded(_) => status(ErrorCode::QuotaExceeded, message),
            ScoreError::Conflict(_) => status(ErrorCode::AlreadyExists, message),
            ScoreError::InvalidTransition(_) => status(ErrorCode::InvalidTransition, message),
            ScoreError::Contention(_) => status(ErrorCode::Unavailable, message),
            ScoreError::StoredModel(e) => {
                internal("score-service stored model", &std::io::Error::other(e))
            }
            ScoreError::Db(e) => internal("score-service database failure", &e),
        }
    }
}
