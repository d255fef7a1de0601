//! gRPC surface of auth-service: who may call what, and the handlers.

use aval_mesh::{authz::AccessPolicy, identity::MeshIdentity};
use aval_proto::auth::v1::{
    CreateApiKeyRequest, CreateApiKeyResponse, CreateClientRequest, CreateClientResponse,
    CreateTenantRequest, ExchangeApiKeyRequest, GetJwksRequest, GetJwksResponse, IssueTokenRequest,
    IssueTokenResponse, Tenant,
    auth_service_server::{AuthService, AuthServiceServer},
};
use sea_orm::DatabaseConnection;
use tonic::{Request, Response, Status};

const SERVICE: &str = "aval.auth.v1.AuthService";
/// The gRPC services whose health this service reports.
pub const SERVICE_NAMES: &[&str] = &[SERVICE];

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
            &format!("/{SERVICE}/GetJwks"),
            &[
                Id::GATEWAY,
                Id::SCORE,
                Id::ANALYSIS,
                Id::BILLING,
                Id::OPERATOR,
            ],
        )
        .allow(&format!("/{SERVICE}/Create"), &[Id::OPERATOR])
}

pub struct AuthApi {
    _db: DatabaseConnection,
}

impl AuthApi {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { _db: db }
    }

    pub fn into_server(self) -> AuthServiceServer<Self> {
        AuthServiceServer::new(self)
    }
}

fn not_yet(rpc: &str) -> Status {
    Status::unimplemented(format!("{SERVICE}/{rpc} is not implemented yet"))
}

#[tonic::async_trait]
impl AuthService for AuthApi {
    async fn issue_token(
        &self,
        _request: Request<IssueTokenRequest>,
    ) -> Result<Response<IssueTokenResponse>, Status> {
        Err(not_yet("IssueToken"))
    }

    async fn exchange_api_key(
        &self,
        _request: Request<ExchangeApiKeyRequest>,
    ) -> Result<Response<IssueTokenResponse>, Status> {
        Err(not_yet("ExchangeApiKey"))
    }

    async fn get_jwks(
        &self,
        _request: Request<GetJwksRequest>,
    ) -> Result<Response<GetJwksResponse>, Status> {
        Err(not_yet("GetJwks"))
    }

    async fn create_tenant(
        &self,
        _request: Request<CreateTenantRequest>,
    ) -> Result<Response<Tenant>, Status> {
        Err(not_yet("CreateTenant"))
    }

    async fn create_client(
        &self,
        _request: Request<CreateClientRequest>,
    ) -> Result<Response<CreateClientResponse>, Status> {
        Err(not_yet("CreateClient"))
    }

    async fn create_api_key(
        &self,
        _request: Request<CreateApiKeyRequest>,
    ) -> Result<Response<CreateApiKeyResponse>, Status> {
        Err(not_yet("CreateApiKey"))
    }
}
