//! What partner routes take from a request, as axum extractors: the request id the gateway
//! assigned, and the caller's bearer token (a missing one is the envelope's 401 before the
//! handler runs). JSON bodies whose rejection is the same envelope.

use crate::{credentials, error::ApiError, routes::Meta};
use aval_errors::{ErrorCode, FieldCode};
use axum::{
    extract::{FromRequest, FromRequestParts, Request},
    http::request::Parts,
};
use std::{convert::Infallible, time::Instant};
use tonic::metadata::MetadataValue;

/// The request id the gateway assigned (or kept) for this request.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for RequestId {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .headers
                .get(aval_transport::propagation::REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned(),
        ))
    }
}

/// A partner's call: its bearer token (from `Authorization` or `x-client-auth`), its request id,
/// and when it arrived. Builds the upstream gRPC request and the answer's `meta`.
#[derive(Clone, Debug)]
pub struct Partner {
    bearer: String,
    pub request_id: String,
    started: Instant,
}

impl<S: Send + Sync> FromRequestParts<S> for Partner {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let started = Instant::now();
        let Ok(RequestId(request_id)) = RequestId::from_request_parts(parts, state).await;
        let bearer = credentials::bearer(&parts.headers).ok_or_else(|| {
            ApiError::unauthenticated("a bearer token is required (Authorization or x-client-auth)")
        })?;
        Ok(Self {
            bearer: bearer.to_owned(),
            request_id,
            started,
        })
    }
}

impl Partner {
    /// A gRPC request carrying `message`, the partner's bearer token and the request id (the
    /// trace context is added by the channel's interceptor).
    pub fn request<T>(&self, message: T) -> tonic::Request<T> {
        upstream_request(message, Some(&self.bearer), &self.request_id)
    }

    /// `meta` of the answer: the request id and the time spent so far.
    pub fn meta(&self) -> Meta {
        Meta::new(self.request_id.clone(), self.started)
    }
}

/// A gRPC request carrying `message`, a bearer token when there is one, and the request id.
pub fn upstream_request<T>(
    message: T,
    bearer: Option<&str>,
    request_id: &str,
) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    let metadata = request.metadata_mut();
    if let Some(token) = bearer
        && let Ok(value) = MetadataValue::try_from(format!("Bearer {token}"))
    {
        metadata.insert("authorization", value);
    }
    if let Ok(value) = MetadataValue::try_from(request_id) {
        metadata.insert(aval_transport::propagation::REQUEST_ID, value);
    }
    request
}

/// The field an error names when the body as a whole is at fault (not JSON, not an object,
/// trailing characters).
pub const BODY_FIELD: &str = "body";

/// A JSON body; anything that is not the JSON expected is `400 INVALID_BODY` in the envelope.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(ApiError::invalid_field(
                ErrorCode::InvalidBody,
                BODY_FIELD,
                FieldCode::InvalidJson,
                rejection.body_text(),
            )),
        }
    }
}
