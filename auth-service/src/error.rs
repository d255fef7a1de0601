//! Everything that can go wrong in auth-service, mapped to a gRPC status in one place.

use aval_mesh::error::{FieldViolation, internal, invalid_argument, status};
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
    #[error("{0}")]
    Internal(String),
}

impl From<AuthError> for Status {
    fn from(error: AuthError) -> Self {
        match &error {
            AuthError::InvalidClient => {
                status(Code::Unauthenticated, "invalid_client", error.to_string())
            }
            AuthError::InvalidScope => {
                status(Code::InvalidArgument, "invalid_scope", error.to_string())
            }
            AuthError::InvalidRequest(violations) => {
                invalid_argument("invalid_request", "invalid request", violations)
            }
            AuthError::NotFound(_) => status(Code::NotFound, "NOT_FOUND", error.to_string()),
            AuthError::AlreadyExists(_) => {
                status(Code::AlreadyExists, "ALREADY_EXISTS", error.to_string())
            }
            AuthError::Db(e) => internal("auth-service database failure", e),
            AuthError::Internal(message) => {
                tracing::error!(%message, "auth-service failure");
                status(Code::Internal, "INTERNAL", "internal error")
            }
        }
    }
}

impl From<crate::store::StoreError> for AuthError {
    fn from(error: crate::store::StoreError) -> Self {
        match error {
            crate::store::StoreError::AlreadyExists => Self::AlreadyExists("record"),
            crate::store::StoreError::Db(e) => Self::Db(e),
        }
    }
}
