//! gRPC surface of auth-service: who may call what, and the handlers.

use crate::{
    domain::{
        scopes,
        secrets::{ClientSecret, HashKey},
        tokens::{self, SigningKey, TOKEN_TTL_SECS},
    },
    error::AuthError,
    store::{self, clients::NewClient},
};
use aval_errors::{FieldCode, FieldViolation};
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
use aval_transport::{authz::AccessPolicy, identity::MeshIdentity, jwt, time::to_timestamp};
use sea_orm::DatabaseConnection;
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
    db: DatabaseConnection,
    hash_key: Arc<HashKey>,
    signing_key: Arc<SigningKey>,
}

impl AuthApi {
    pub fn new(db: DatabaseConnection, hash_key: HashKey, signing_key: SigningKey) -> Self {
        Self {
            db,
            hash_key: Arc::new(hash_key),
            signing_key: Arc::new(signing_key),
        }
    }

    pub fn into_server(self) -> AuthServiceServer<Self> {
        AuthServiceServer::new(self)
    }

    pub fn into_keys_server(self) -> TokenKeysServer<Self> {
        TokenKeysServer::new(self)
    }

    async fn issue(&self, request: IssueTokenRequest) -> Result<IssueTokenResponse, AuthError> {
        let client = store::clients::find_enabled(&self.db, &request.client_id)
            .await?
            .ok_or(AuthError::InvalidClient)?;
        if !self
            .hash_key
            .verify(&request.client_secret, &client.secret_hash)
        {
            return Err(AuthError::InvalidClient);
        }
        let granted =
            scopes::grant(&client.scope_list(), &request.scope).ok_or(AuthError::InvalidScope)?;
        let claims = tokens::claims(
            &client.tenant_id,
            &client.client_id,
            &granted,
            chrono::Utc::now().timestamp(),
            uuid::Uuid::new_v4().to_string(),
        );
        let token = self
            .signing_key
            .sign(&claims)
            .map_err(|e| AuthError::Internal(e.to_string()))?;
        Ok(IssueTokenResponse {
            access_token: token,
            token_type: "Bearer".to_owned(),
            expires_in: TOKEN_TTL_SECS,
            scope: granted.join(" "),
        })
    }

    async fn new_secret(&self) -> Result<(ClientSecret, Vec<u8>), AuthError> {
        let secret =
            ClientSecret::generate().map_err(|_| AuthError::Internal("no randomness".into()))?;
        let hash = self.hash_key.hash(&secret);
        Ok((secret, hash))
    }
}

/// Operator-chosen ids: 1..=64 of letters, digits, `-`, `_`.
fn check_id(field: &str, id: &str, violations: &mut Vec<FieldViolation>) {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        violations.push(FieldViolation::new(
            field,
            FieldCode::InvalidFormat,
            "1 to 64 letters, digits, `-` or `_`",
        ));
    }
}

fn check_name(field: &str, name: &str, violations: &mut Vec<FieldViolation>) {
    if name.trim().is_empty() || name.len() > 255 {
        violations.push(FieldViolation::new(
            field,
            FieldCode::Required,
            "1 to 255 characters",
        ));
    }
}

#[tonic::async_trait]
impl AuthService for AuthApi {
    async fn issue_token(
        &self,
        request: Request<IssueTokenRequest>,
    ) -> Result<Response<IssueTokenResponse>, Status> {
        let request = request.into_inner();
        match self.issue(request).await {
            Ok(token) => Ok(Response::new(token)),
            Err(error) => Err(error.into()),
        }
    }

    async fn exchange_api_key(
        &self,
        _request: Request<ExchangeApiKeyRequest>,
    ) -> Result<Response<IssueTokenResponse>, Status> {
        Err(Status::unimplemented("API keys are not available yet"))
    }

    async fn create_tenant(
        &self,
        request: Request<CreateTenantRequest>,
    ) -> Result<Response<Tenant>, Status> {
        let request = request.into_inner();
        let id = if request.id.is_empty() {
            uuid::Uuid::new_v4().simple().to_string()
        } else {
            request.id
        };
        let mut violations = Vec::new();
        check_id("id", &id, &mut violations);
        check_name("name", &request.name, &mut violations);
        if !violations.is_empty() {
            return Err(AuthError::InvalidRequest(violations).into());
        }
        let tenant = store::tenants::insert(&self.db, &id, request.name.trim())
            .await
            .map_err(|e| match AuthError::from(e) {
                AuthError::AlreadyExists(_) => AuthError::AlreadyExists("tenant"),
                other => other,
            })?;
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
        let client_id = if request.client_id.is_empty() {
            format!("cl_{}", uuid::Uuid::new_v4().simple())
        } else {
            request.client_id
        };
        let mut violations = Vec::new();
        check_id("client_id", &client_id, &mut violations);
        check_name("name", &request.name, &mut violations);
        if request.scopes.is_empty() {
            violations.push(FieldViolation::new(
                "scopes",
                FieldCode::Required,
                "at least one scope",
            ));
        }
        for unknown in scopes::unknown(&request.scopes) {
            violations.push(FieldViolation::new(
                "scopes",
                FieldCode::InvalidEnum,
                format!(
                    "unknown scope `{unknown}`; known: {}",
                    scopes::ALL.join(", ")
                ),
            ));
        }
        if !violations.is_empty() {
            return Err(AuthError::InvalidRequest(violations).into());
        }
        if store::tenants::find(&self.db, &request.tenant_id)
            .await
            .map_err(AuthError::from)?
            .is_none()
        {
            return Err(AuthError::NotFound("tenant").into());
        }
        let (secret, secret_hash) = self.new_secret().await?;
        store::clients::insert(
            &self.db,
            NewClient {
                client_id: &client_id,
                tenant_id: &request.tenant_id,
                name: request.name.trim(),
                secret_hash,
                scopes: &request.scopes,
            },
        )
        .await
        .map_err(|e| match AuthError::from(e) {
            AuthError::AlreadyExists(_) => AuthError::AlreadyExists("client"),
            other => other,
        })?;
        Ok(Response::new(CreateClientResponse {
            client_id,
            client_secret: secret.reveal(),
        }))
    }

    async fn rotate_client_secret(
        &self,
        request: Request<RotateClientSecretRequest>,
    ) -> Result<Response<CreateClientResponse>, Status> {
        let client_id = request.into_inner().client_id;
        let (secret, secret_hash) = self.new_secret().await?;
        let updated = store::clients::set_secret_hash(&self.db, &client_id, secret_hash)
            .await
            .map_err(AuthError::from)?;
        if !updated {
            return Err(AuthError::NotFound("client").into());
        }
        Ok(Response::new(CreateClientResponse {
            client_id,
            client_secret: secret.reveal(),
        }))
    }

    async fn create_api_key(
        &self,
        _request: Request<CreateApiKeyRequest>,
    ) -> Result<Response<CreateApiKeyResponse>, Status> {
        Err(Status::unimplemented("API keys are not available yet"))
    }
}

#[tonic::async_trait]
impl TokenKeys for AuthApi {
    async fn get_jwks(
        &self,
        _request: Request<GetJwksRequest>,
    ) -> Result<Response<GetJwksResponse>, Status> {
        let keys = store::signing_keys::published(&self.db)
            .await
            .map_err(AuthError::from)?
            .into_iter()
            .map(|k| Jwk {
                kty: "OKP".to_owned(),
                crv: "Ed25519".to_owned(),
                kid: k.kid,
                x: jwt::encode_key(&k.public_key),
                alg: "EdDSA".to_owned(),
                r#use: "sig".to_owned(),
            })
            .collect();
        Ok(Response::new(GetJwksResponse { keys }))
    }
}
