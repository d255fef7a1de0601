//! Building the gRPC request for an upstream call: the partner's bearer token and the request
//! id travel as metadata (the trace context is added by the channel's interceptor).

use axum::http::HeaderMap;
use tonic::metadata::MetadataValue;

/// The request id the gateway assigned (or kept) for this request.
pub fn request_id(headers: &HeaderMap) -> String {
    headers
        .get(aval_mesh::propagation::REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// A gRPC request carrying `message`, the bearer token and the request id.
pub fn request<T>(message: T, bearer: Option<&str>, request_id: &str) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    let metadata = request.metadata_mut();
    if let Some(token) = bearer
        && let Ok(value) = MetadataValue::try_from(format!("Bearer {token}"))
    {
        metadata.insert("authorization", value);
    }
    if let Ok(value) = MetadataValue::try_from(request_id) {
        metadata.insert(aval_mesh::propagation::REQUEST_ID, value);
    }
    request
}
