//! gRPC surface of score-service: who may call what, and the handlers.

use aval_mesh::{authz::AccessPolicy, identity::MeshIdentity};
use aval_proto::score::v1::{
    GetScoreRequest, GetScoreResponse, UpsertProfilesRequest, UpsertProfilesResponse,
    score_service_server::{ScoreService, ScoreServiceServer},
};
use sea_orm::DatabaseConnection;
use tonic::{Request, Response, Status};

const SERVICE: &str = "aval.score.v1.ScoreService";
/// The gRPC services whose health this service reports.
pub const SERVICE_NAMES: &[&str] = &[SERVICE];

/// Partners (through the gateway), analysis-service and operators read scores; only operators
/// load consumer profiles.
pub fn access_policy() -> AccessPolicy {
    use MeshIdentity as Id;
    AccessPolicy::new()
        .allow(
            &format!("/{SERVICE}/GetScore"),
            &[Id::GATEWAY, Id::ANALYSIS, Id::OPERATOR],
        )
        .allow(&format!("/{SERVICE}/UpsertProfiles"), &[Id::OPERATOR])
}

pub struct ScoreApi {
    _db: DatabaseConnection,
}

impl ScoreApi {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { _db: db }
    }

    pub fn into_server(self) -> ScoreServiceServer<Self> {
        ScoreServiceServer::new(self)
    }
}

fn not_yet(rpc: &str) -> Status {
    Status::unimplemented(format!("{SERVICE}/{rpc} is not implemented yet"))
}

#[tonic::async_trait]
impl ScoreService for ScoreApi {
    async fn get_score(
        &self,
        _request: Request<GetScoreRequest>,
    ) -> Result<Response<GetScoreResponse>, Status> {
        Err(not_yet("GetScore"))
    }

    async fn upsert_profiles(
        &self,
        _request: Request<UpsertProfilesRequest>,
    ) -> Result<Response<UpsertProfilesResponse>, Status> {
        Err(not_yet("UpsertProfiles"))
    }
}
