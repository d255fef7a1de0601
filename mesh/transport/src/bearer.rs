//! Caller authentication by bearer token, verified locally: a tower layer reads
//! `authorization: Bearer …`, checks it against auth-service's JWKS (kept fresh in the
//! background, see [`crate::jwks`]) and hands handlers a [`Principal`].

pub use crate::jwks::JwksCache;
use crate::{
    jwt::{Claims, TokenError},
    status::status,
};
use aval_errors::ErrorCode;
use futures_util::future::BoxFuture;
use std::{
    sync::Arc,
    task::{Context, Poll},
};
use tonic::Status;

/// The authenticated caller of a request: a tenant's OAuth2 client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub tenant_id: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub token_id: String,
}

impl Principal {
    fn from_claims(claims: &Claims) -> Self {
        Self {
            tenant_id: claims.tenant.clone(),
            client_id: claims.sub.clone(),
            scopes: claims.scopes().map(str::to_owned).collect(),
            token_id: claims.jti.clone(),
        }
    }

    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// The principal of a request, which must carry a valid token with `scope`:
/// `UNAUTHENTICATED` without one, `PERMISSION_DENIED` without the scope.
pub fn require_scope<T>(request: &tonic::Request<T>, scope: &str) -> Result<Principal, Status> {
    let principal = require_principal(request)?;
    if principal.has_scope(scope) {
        Ok(principal)
    } else {
        Err(status(
            ErrorCode::PermissionDenied,
            format!("the token lacks the scope `{scope}`"),
        ))
    }
}

/// Who a request acts as, and for which tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Acting {
    /// A partner's client, by its token: always for its own tenant.
    Partner(Principal),
    /// Aval's operator, by its certificate and without a token (`aval admin`): for the tenant
    /// the request names.
    Operator { tenant_id: String },
}

impl Acting {
    pub fn tenant_id(&self) -> &str {
        match self {
            Self::Partner(principal) => &principal.tenant_id,
            Self::Operator { tenant_id } => tenant_id,
        }
    }
}

/// Who acts on a request. A token must hold `scope` and acts for its own tenant, whatever
/// tenant the request names; without one, the operator's certificate acts for
/// `named_tenant`, which it must name (`INVALID_ARGUMENT` on `tenant_id`). Anyone else needs
/// a token (`UNAUTHENTICATED`).
pub fn acting_for<T>(
    request: &tonic::Request<T>,
    scope: &str,
    named_tenant: &str,
) -> Result<Acting, Status> {
    if request.extensions().get::<Principal>().is_some() {
        return require_scope(request, scope).map(Acting::Partner);
    }
    let operator = request
        .extensions()
        .get::<crate::authz::Caller>()
        .is_some_and(|caller| caller.0.name() == crate::identity::MeshIdentity::OPERATOR);
    if !operator {
        return Err(status(
            ErrorCode::Unauthenticated,
            "a bearer token is required",
        ));
    }
    if named_tenant.trim().is_empty() {
        return Err(crate::status::invalid_argument(
            ErrorCode::InvalidArgument,
            "an operator names the tenant",
            &[aval_errors::FieldViolation::new(
                "tenant_id",
                aval_errors::FieldCode::Required,
                "an operator names the tenant it acts for",
            )],
        ));
    }
    Ok(Acting::Operator {
        tenant_id: named_tenant.trim().to_owned(),
    })
}

/// The principal of a request, which must carry a valid token: `UNAUTHENTICATED` without one.
pub fn require_principal<T>(request: &tonic::Request<T>) -> Result<Principal, Status> {
    request
        .extensions()
        .get::<Principal>()
        .cloned()
        .ok_or_else(|| status(ErrorCode::Unauthenticated, "a bearer token is required"))
}

/// The caller's `authorization` metadata, as received: forwarded when a service calls a peer on
/// the caller's behalf.
pub fn forwarded_authorization<T>(request: &tonic::Request<T>) -> Option<String> {
    request
        .metadata()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Tower layer authenticating bearer tokens. A request without a token passes through without
/// a principal (handlers that need one say so with [`require_scope`]); a request with a bad
/// token is refused with `UNAUTHENTICATED`.
#[derive(Clone, Default)]
pub struct BearerLayer {
    jwks: Option<Arc<JwksCache>>,
}

impl BearerLayer {
    pub fn new(jwks: Arc<JwksCache>) -> Self {
        Self { jwks: Some(jwks) }
    }

    /// For services that take no tokens (auth-service itself): every request passes through.
    pub fn disabled() -> Self {
        Self { jwks: None }
    }
}

impl<S> tower_layer::Layer<S> for BearerLayer {
    type Service = Bearer<S>;
    fn layer(&self, inner: S) -> Self::Service {
        Bearer {
            inner,
            jwks: self.jwks.clone(),
        }
    }
}

#[derive(Clone)]
pub struct Bearer<S> {
    inner: S,
    jwks: Option<Arc<JwksCache>>,
}

fn bearer_token<B>(request: &http::Request<B>) -> Option<&str> {
    let value = request
        .headers()
        .get(http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

impl<S, ReqBody, ResBody> tower_service::Service<http::Request<ReqBody>> for Bearer<S>
where
    S: tower_service::Service<http::Request<ReqBody>, Response = http::Response<ResBody>>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    ReqBody: Send + 'static,
    ResBody: Default,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<ReqBody>) -> Self::Future {
        let (Some(jwks), Some(token)) =
            (self.jwks.clone(), bearer_token(&request).map(str::to_owned))
        else {
            return Box::pin(self.inner.call(request));
        };
        // The clone that was driven to readiness serves this request.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            match jwks.verify(&token).await {
                Ok(claims) => {
                    request
                        .extensions_mut()
                        .insert(Principal::from_claims(&claims));
                    inner.call(request).await
                }
                Err(TokenError::KeysUnavailable) => {
                    // Not the token's fault: the caller should retry, not re-authenticate.
                    Ok(status(
                        ErrorCode::Unavailable,
                        TokenError::KeysUnavailable.to_string(),
                    )
                    .into_http())
                }
                Err(error) => {
                    tracing::info!(%error, "bearer token refused");
                    Ok(status(ErrorCode::Unauthenticated, error.to_string()).into_http())
                }
            }
        })
    }
}
