//! Everything that can go wrong in auth-service, mapped to a gRPC status in one place.

use aval_errors::{ErrorCode, FieldViolation, OAuthError};
use aval_transport::status::{internal, invalid_argument, oauth_status, status};
use tonic::{Code, Status};

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Unknown client, wrong secret or disabled client: one answer for all (RFC 6749 §5.2).
    #[error("client authentication failed")]
    InvalidClient,
    #[error("the requested scope is not granted to this client")]
    InvalidScope,
    #[error("invalid request")]
    InvalidRequest(Vec<FieldViolation>),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0} already exists")]
    AlreadyExists(&'static str),
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("signing key: {0}")]
    Key(#[from] crate::domain::tokens::KeyError),
    #[error("{0}")]
    Internal(String),
}

impl From<AuthError> for Status {
    fn from(error: AuthError) -> Self {
        match &error {
            AuthError::InvalidClient => oauth_status(
                Code::Unauthenticated,
                OAuthError::InvalidClient,
                error.to_string(),
            ),
            AuthError::InvalidScope => oauth_status(
                Code::InvalidArgument,
                OAuthError::InvalidScope,
                error.to_string(),
            ),
            AuthError::InvalidRequest(violations) => {
                invalid_argument(ErrorCode::InvalidArgument, "invalid request", violations)
            }
            AuthError::NotFound(_) => status(ErrorCode::NotFound, error.to_string()),
            AuthError::AlreadyExists(_) => status(ErrorCode::AlreadyExists, error.to_string()),
            AuthError::Db(e) => internal("auth-service database failure", e),
            AuthError::Key(e) => internal("auth-service signing key", e),
            AuthError::Internal(message) => {
                tracing::error!(%message, "auth-service failure");
                status(ErrorCode::Internal, "internal error")
            }
        }
    }
}
