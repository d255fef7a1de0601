//! Everything that can go wrong in billing-service, mapped to a gRPC status in one place.

use aval_errors::{ErrorCode, FieldViolation};
use aval_transport::status::{internal, invalid_argument, status};
use tonic::Status;

#[derive(Debug, thiserror::Error)]
pub enum BillingError {
    #[error("invalid request")]
    InvalidRequest(Vec<FieldViolation>),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
}

impl From<BillingError> for Status {
    fn from(error: BillingError) -> Self {
        match &error {
            BillingError::InvalidRequest(violations) => {
                invalid_argument(ErrorCode::InvalidArgument, "invalid request", violations)
            }
            BillingError::NotFound(_) => status(ErrorCode::NotFound, error.to_string()),
            BillingError::Db(e) => internal("billing-service database failure", e),
        }
    }
}
