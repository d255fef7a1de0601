//! Which mesh identity may call which RPC. The caller's identity comes from its verified client
//! certificate; a tower layer checks it against the service's [`AccessPolicy`] before the
//! request reaches a handler, and hands it on as a [`Caller`] extension.

use crate::identity::MeshIdentity;
use aval_errors::ErrorCode;
use futures_util::future::BoxFuture;
use std::{
    sync::Arc,
    task::{Context, Poll},
};
use tonic::transport::server::{TcpConnectInfo, TlsConnectInfo};

/// RPCs every verified mesh identity may call: health checks.
const OPEN_TO_MESH: &[&str] = &["/grpc.health.v1.Health/"];
/// Reflection (v1 and v1alpha) describes the whole API, operator-only RPCs included: for the
/// operator's tools (grpcurl, Evans), not for workloads, nor lenders' own services (internal
/// clients), which are allowed the partner APIs only.
const REFLECTION: &str = "/grpc.reflection.";
const REFLECTION_CALLERS: &[&str] = &[MeshIdentity::OPERATOR];

/// The verified identity of the peer, available to handlers as a request extension.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller(pub MeshIdentity);

/// Allow-list of identities per RPC path prefix; anything not allowed is denied.
#[derive(Clone, Debug, Default)]
pub struct AccessPolicy {
    rules: Vec<(String, Vec<String>)>,
}

impl AccessPolicy {
    pub fn new() -> Self {
        Self::default()
    }

    /// Lets `identities` call every RPC whose path starts with `path_prefix`, e.g.
    /// `/aval.score.v1.ScoreService/` (the whole service) or `/aval.score.v1.ScoreService/GetScore`.
    #[must_use]
    pub fn allow(mut self, path_prefix: &str, identities: &[&str]) -> Self {
        self.rules.push((
            path_prefix.to_owned(),
            identities.iter().map(|s| (*s).to_owned()).collect(),
        ));
        self
    }

    pub fn is_allowed(&self, path: &str, caller: &MeshIdentity) -> bool {
        OPEN_TO_MESH.iter().any(|open| path.starts_with(open))
            || (path.starts_with(REFLECTION) && REFLECTION_CALLERS.contains(&caller.role()))
            || self.rules.iter().any(|(prefix, identities)| {
                path.starts_with(prefix.as_str()) && identities.iter().any(|id| id == caller.role())
            })
    }

    fn check<B>(&self, request: &http::Request<B>) -> Result<Caller, tonic::Status> {
        let identity = peer_identity(request).ok_or_else(|| {
            // A mesh misconfiguration, never the partner's fault: the gateway answers it
            // with a 500, not a 401/403.
            crate::status::status(
                ErrorCode::MeshAccessDenied,
                "client certificate carries no mesh identity",
            )
        })?;
        let path = request.uri().path();
        if self.is_allowed(path, &identity) {
            Ok(Caller(identity))
        } else {
            tracing::warn!(caller = %identity, rpc = path, "mesh identity not allowed");
            Err(crate::status::status(
                ErrorCode::MeshAccessDenied,
                format!("`{identity}` may not call {path}"),
            ))
        }
    }
}

/// The identity in the leaf certificate the peer presented during the TLS handshake.
fn peer_identity<B>(request: &http::Request<B>) -> Option<MeshIdentity> {
    let info = request
        .extensions()
        .get::<TlsConnectInfo<TcpConnectInfo>>()?;
    let certs = info.peer_certs()?;
    MeshIdentity::from_certificate_der(certs.first()?)
}

/// Tower layer enforcing an [`AccessPolicy`].
#[derive(Clone, Debug)]
pub struct AuthzLayer {
    policy: Arc<AccessPolicy>,
}

impl AuthzLayer {
    pub fn new(policy: AccessPolicy) -> Self {
        Self {
            policy: Arc::new(policy),
        }
    }
}

impl<S> tower_layer::Layer<S> for AuthzLayer {
    type Service = Authz<S>;
    fn layer(&self, inner: S) -> Self::Service {
        Authz {
            inner,
            policy: self.policy.clone(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Authz<S> {
    inner: S,
    policy: Arc<AccessPolicy>,
}

impl<S, ReqBody, ResBody> tower_service::Service<http::Request<ReqBody>> for Authz<S>
where
    S: tower_service::Service<http::Request<ReqBody>, Response = http::Response<ResBody>>,
    S::Future: Send + 'static,
    ResBody: Default,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<ReqBody>) -> Self::Future {
        match self.policy.check(&request) {
            Ok(caller) => {
                request.extensions_mut().insert(caller);
                Box::pin(self.inner.call(request))
            }
            Err(status) => Box::pin(async move { Ok(status.into_http()) }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_allows_listed_identities_and_denies_the_rest() {
        let policy = AccessPolicy::new()
            .allow(
                "/aval.score.v1.ScoreService/",
                &["gateway", "analysis-service"],
            )
            .allow("/aval.score.v1.ScoreService/UpsertProfiles", &["operator"]);
        let gateway = MeshIdentity::new("gateway");
        let billing = MeshIdentity::new("billing-service");
        let operator = MeshIdentity::new("operator");
        assert!(policy.is_allowed("/aval.score.v1.ScoreService/GetScore", &gateway));
        assert!(!policy.is_allowed("/aval.score.v1.ScoreService/GetScore", &billing));
        assert!(!policy.is_allowed("/aval.score.v1.ScoreService/GetScore", &operator));
        assert!(policy.is_allowed("/aval.score.v1.ScoreService/UpsertProfiles", &operator));
        assert!(!policy.is_allowed("/aval.auth.v1.AuthService/IssueToken", &gateway));
        // Health is open to any verified mesh identity; reflection to the operator only.
        assert!(policy.is_allowed("/grpc.health.v1.Health/Check", &billing));
        let reflect = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";
        assert!(policy.is_allowed(reflect, &operator));
        assert!(!policy.is_allowed(reflect, &gateway));
        let internal = MeshIdentity::internal_client("erp").unwrap_or_else(|| gateway.clone());
        assert!(!policy.is_allowed(reflect, &internal));
    }
}
