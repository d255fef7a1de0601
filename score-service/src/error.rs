//! Everything that can go wrong in score-service, mapped to a gRPC status in one place.

use aval_errors::{ErrorCode, FieldViolation};
use aval_transport::status::{internal, invalid_argument, status};
use tonic::Status;

#[derive(Debug, thiserror::Error)]
pub enum ScoreError {
    #[error("the document is not a valid CPF")]
    InvalidDocument(Vec<FieldViolation>),
    #[error("invalid request")]
    InvalidRequest(Vec<FieldViolation>),
    #[error("no score model `{0}`")]
    ModelNotFound(String),
    /// Not found answers are free: nothing is metered.
    #[error("no data for this CPF")]
    CpfNotFound,
    #[error("the plan does not allow more answers ({0})")]
    QuotaExceeded(String),
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
            ScoreError::InvalidRequest(v) => {
                invalid_argument(ErrorCode::InvalidArgument, &message, &v)
            }
            ScoreError::ModelNotFound(_) => status(ErrorCode::ModelNotFound, message),
            ScoreError::CpfNotFound => status(ErrorCode::CpfNotFound, message),
            ScoreError::QuotaExceeded(_) => status(ErrorCode::QuotaExceeded, message),
            ScoreError::Db(e) => internal("score-service database failure", &e),
        }
    }
}
