//! gRPC surface of auth-service: who may call what, and proto ⇄ domain conversions around the
//! use cases in `app`.

use crate::{
    app::{AuthApp, NewClient},
    domain::{
        names::{DisplayName, Id, Refused},
        scopes,
    },
    error::AuthError,
};
use aval_errors::{FieldCode, FieldPath, FieldViolation, Refusal, Violations};
use aval_proto::auth::v1::{
    CreateApiKeyRequest, CreateApiKeyResponse, CreateClientRequest, CreateClientResponse,
    CreateTenantRequest, ExchangeApiKeyRequest, IssueTokenRequest, IssueTokenResponse,
    RotateClientSecretRequest, Tenant,
    auth_service_server::{AuthService, AuthServiceServer},
};
use aval_proto::keys::v1::{
    GetJwksRequest, GetJwksResponse, Jwk,
    token_keys_server::{TokenKeys, TokenKeysServer},
};
use aval_transport::{
    authz::AccessPolicy, identity::MeshIdentity, jwt, status::status, time::to_timestamp,
};
use std::sync::Arc;
use tonic::{Request, Response, Status};

const SERVICE: &str = "aval.auth.v1.AuthService";
const KEYS: &str = "aval.keys.v1.TokenKeys";
/// The gRPC services whose health this service reports.
pub const SERVICE_NAMES: &[&str] = &[SERVICE, KEYS];

/// The gateway exchanges credentials for tokens; every service fetches the JWKS; only
/// operators administer tenants, clients and keys.
pub fn access_policy() -> AccessPolicy {
    use MeshIdentity as Id;
    AccessPolicy::new()
        .allow(
            &format!("/{SERVICE}/IssueToken"),
            &[Id::GATEWAY, Id::OPERATOR],
        )
        .allow(
            &format!("/{SERVICE}/ExchangeApiKey"),
            &[Id::GATEWAY, Id::OPERATOR],
        )
        .allow(
            &format!("/{KEYS}/GetJwks"),
            &[
                Id::GATEWAY,
                Id::SCORE,
                Id::ANALYSIS,
                Id::BILLING,
                Id::OPERATOR,
            ],
        )
        .allow(&format!("/{SERVICE}/Create"), &[Id::OPERATOR])
        .allow(&format!("/{SERVICE}/RotateClientSecret"), &[Id::OPERATOR])
}

#[derive(Clone)]
pub struct AuthApi {
    app: Arc<AuthApp>,
}

impl AuthApi {
    pub fn new(app: AuthApp) -> Self {
        Self { app: Arc::new(app) }
    }

    pub fn into_server(self) -> AuthServiceServer<Self> {
        AuthServiceServer::new(self)
    }

    pub fn into_keys_server(self) -> TokenKeysServer<Self> {
        TokenKeysServer::new(self)
    }
}

impl Refusal for Refused {
    fn code(&self) -> FieldCode {
        self.code
    }

    fn message(&self) -> String {
        self.rule.to_owned()
    }
}

/// An operator's id when given, a generated one otherwise.
fn id_or(given: &str, generate: fn() -> Id) -> Result<Id, Refused> {
    if given.is_empty() {
        Ok(generate())
    } else {
        Id::parse(given)
    }
}

#[tonic::async_trait]
impl AuthService for AuthApi {
    async fn issue_token(
        &self,
        request: Request<IssueTokenRequest>,
    ) -> Result<Response<IssueTokenResponse>, Status> {
        let request = request.into_inner();
        let token = self
            .app
            .issue_token(&request.client_id, &request.client_secret, &request.scope)
            .await?;
        Ok(Response::new(IssueTokenResponse {
            access_token: token.access_token,
            token_type: "Bearer".to_owned(),
            expires_in: token.expires_in,
            scope: token.scopes.join(" "),
        }))
    }

    async fn exchange_api_key(
        &self,
        _request: Request<ExchangeApiKeyRequest>,
    ) -> Result<Response<IssueTokenResponse>, Status> {
        Err(status(
            aval_errors::ErrorCode::NotImplemented,
            "API keys are not available yet",
        ))
    }

    async fn create_tenant(
        &self,
        request: Request<CreateTenantRequest>,
    ) -> Result<Response<Tenant>, Status> {
        let request = request.into_inner();
        let mut v = Violations::default();
        let id = v.check(
            &FieldPath::field("id"),
            id_or(&request.id, Id::generated_tenant),
        );
        let name = v.check(&FieldPath::field("name"), DisplayName::parse(&request.name));
        let (id, name) = v.finish(id.zip(name)).map_err(AuthError::InvalidRequest)?;
        let tenant = self.app.create_tenant(id, name).await?;
        Ok(Response::new(Tenant {
            id: tenant.id,
            name: tenant.name,
            created_at: Some(to_timestamp(tenant.created_at)),
        }))
    }

    async fn create_client(
        &self,
        request: Request<CreateClientRequest>,
    ) -> Result<Response<CreateClientResponse>, Status> {
        let request = request.into_inner();
        let mut v = Violations::default();
        let client_id = v.check(
            &FieldPath::field("client_id"),
            id_or(&request.client_id, Id::generated_client),
        );
        let name = v.check(&FieldPath::field("name"), DisplayName::parse(&request.name));
        if request.scopes.is_empty() {
            v.push(FieldViolation::new(
                "scopes",
                FieldCode::Required,
                "at least one scope",
            ));
        }
        for unknown in scopes::unknown(&request.scopes) {
            v.push(FieldViolation::new(
                "scopes",
                FieldCode::InvalidEnum,
                format!(
                    "unknown scope `{unknown}`; known: {}",
                    scopes::ALL.join(", ")
                ),
            ));
        }
        let (client_id, name) = v
            .finish(client_id.zip(name))
            .map_err(AuthError::InvalidRequest)?;
        let id = client_id.as_str().to_owned();
        let secret = self
            .app
            .create_client(NewClient {
                tenant_id: request.tenant_id,
                client_id,
                name,
                scopes: request.scopes,
            })
            .await?;
        Ok(Response::new(CreateClientResponse {
            client_id: id,
            client_secret: secret.reveal(),
        }))
    }

    async fn rotate_client_secret(
        &self,
        request: Request<RotateClientSecretRequest>,
    ) -> Result<Response<CreateClientResponse>, Status> {
        let client_id = request.into_inner().client_id;
        let secret = self.app.rotate_client_secret(&client_id).await?;
        Ok(Response::new(CreateClientResponse {
            client_id,
            client_secret: secret.reveal(),
        }))
    }

    async fn create_api_key(
        &self,
        _request: Request<CreateApiKeyRequest>,
    ) -> Result<Response<CreateApiKeyResponse>, Status> {
        Err(status(
            aval_errors::ErrorCode::NotImplemented,
            "API keys are not available yet",
        ))
    }
}

#[tonic::async_trait]
impl TokenKeys for AuthApi {
    async fn get_jwks(
        &self,
        _request: Request<GetJwksRequest>,
    ) -> Result<Response<GetJwksResponse>, Status> {
        let keys = self
            .app
            .published_keys()
            .await?
            .into_iter()
            .map(|k| Jwk {
                kty: "OKP".to_owned(),
                crv: "Ed25519".to_owned(),
                kid: k.kid,
                x: jwt::encode_key(&k.key),
                alg: "EdDSA".to_owned(),
                r#use: "sig".to_owned(),
            })
            .collect();
        Ok(Response::new(GetJwksResponse { keys }))
    }
}
