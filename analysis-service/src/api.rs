//! gRPC surface of analysis-service: who may call what, and the handlers.

use aval_mesh::{authz::AccessPolicy, identity::MeshIdentity};
use aval_proto::analysis::v1::{
    GetAnalysisRequest, LegalPersonAnalysis, SubmitLegalPersonAnalysisRequest,
    analysis_service_server::{AnalysisService, AnalysisServiceServer},
};
use sea_orm::DatabaseConnection;
use tonic::{Request, Response, Status};

const SERVICE: &str = "aval.analysis.v1.AnalysisService";
/// The gRPC services whose health this service reports.
pub const SERVICE_NAMES: &[&str] = &[SERVICE];

/// Partners (through the gateway) and operators submit and read analyses.
pub fn access_policy() -> AccessPolicy {
    use MeshIdentity as Id;
    AccessPolicy::new().allow(&format!("/{SERVICE}/"), &[Id::GATEWAY, Id::OPERATOR])
}

pub struct AnalysisApi {
    _db: DatabaseConnection,
}

impl AnalysisApi {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { _db: db }
    }

    pub fn into_server(self) -> AnalysisServiceServer<Self> {
        AnalysisServiceServer::new(self)
    }
}

fn not_yet(rpc: &str) -> Status {
    Status::unimplemented(format!("{SERVICE}/{rpc} is not implemented yet"))
}

#[tonic::async_trait]
impl AnalysisService for AnalysisApi {
    async fn submit_legal_person_analysis(
        &self,
        _request: Request<SubmitLegalPersonAnalysisRequest>,
    ) -> Result<Response<LegalPersonAnalysis>, Status> {
        Err(not_yet("SubmitLegalPersonAnalysis"))
    }

    async fn get_analysis(
        &self,
        _request: Request<GetAnalysisRequest>,
    ) -> Result<Response<LegalPersonAnalysis>, Status> {
        Err(not_yet("GetAnalysis"))
    }
}
