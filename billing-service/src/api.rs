//! gRPC surface of billing-service: who may call what, and the handlers.

use aval_mesh::{authz::AccessPolicy, identity::MeshIdentity};
use aval_proto::billing::v1::{
    CheckQuotaRequest, CheckQuotaResponse, GetUsageReportRequest, GetUsageReportResponse,
    RecordUsageRequest, RecordUsageResponse,
    billing_service_server::{BillingService, BillingServiceServer},
};
use sea_orm::DatabaseConnection;
use tonic::{Request, Response, Status};

const SERVICE: &str = "aval.billing.v1.BillingService";
/// The gRPC services whose health this service reports.
pub const SERVICE_NAMES: &[&str] = &[SERVICE];

/// The delivering services report usage and check quota; partners (through the gateway) and
/// operators read consumption reports.
pub fn access_policy() -> AccessPolicy {
    use MeshIdentity as Id;
    AccessPolicy::new()
        .allow(
            &format!("/{SERVICE}/RecordUsage"),
            &[Id::SCORE, Id::ANALYSIS],
        )
        .allow(
            &format!("/{SERVICE}/CheckQuota"),
            &[Id::SCORE, Id::ANALYSIS, Id::GATEWAY],
        )
        .allow(
            &format!("/{SERVICE}/GetUsageReport"),
            &[Id::GATEWAY, Id::OPERATOR],
        )
}

pub struct BillingApi {
    _db: DatabaseConnection,
}

impl BillingApi {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { _db: db }
    }

    pub fn into_server(self) -> BillingServiceServer<Self> {
        BillingServiceServer::new(self)
    }
}

fn not_yet(rpc: &str) -> Status {
    Status::unimplemented(format!("{SERVICE}/{rpc} is not implemented yet"))
}

#[tonic::async_trait]
impl BillingService for BillingApi {
    async fn record_usage(
        &self,
        _request: Request<RecordUsageRequest>,
    ) -> Result<Response<RecordUsageResponse>, Status> {
        Err(not_yet("RecordUsage"))
    }

    async fn check_quota(
        &self,
        _request: Request<CheckQuotaRequest>,
    ) -> Result<Response<CheckQuotaResponse>, Status> {
        Err(not_yet("CheckQuota"))
    }

    async fn get_usage_report(
        &self,
        _request: Request<GetUsageReportRequest>,
    ) -> Result<Response<GetUsageReportResponse>, Status> {
        Err(not_yet("GetUsageReport"))
    }
}
