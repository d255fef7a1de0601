//! gRPC surface of analysis-service: who may call what, and the proto mapping of each call.

pub mod proposal;

use crate::{
    app::AnalysisApp,
    domain::{
        analysis::Analysis,
        decision::{AnalysisStatus, Recommendation},
        proposal::Proposal,
    },
    error::AnalysisError,
};
use aval_proto::{
    analysis::v1::{
        AnalysisStatus as PbStatus, GetAnalysisRequest, LegalPersonAnalysis,
        Recommendation as PbRecommendation, SubmitLegalPersonAnalysisRequest,
        analysis_service_server::{AnalysisService, AnalysisServiceServer},
    },
    common::v1::{Money, Reason},
};
use aval_transport::{
    authz::AccessPolicy,
    bearer::{forwarded_authorization, require_scope},
    identity::MeshIdentity,
    time::to_timestamp,
};
use tonic::{Request, Response, Status};

const SERVICE: &str = "aval.analysis.v1.AnalysisService";
/// The gRPC services whose health this service reports.
pub const SERVICE_NAMES: &[&str] = &[SERVICE];
pub const ANALYSIS_WRITE: &str = "analysis:write";
pub const ANALYSIS_READ: &str = "analysis:read";

/// Partners (through the gateway or their internal clients) and operators submit and read
/// analyses, always with a partner token.
pub fn access_policy() -> AccessPolicy {
    use MeshIdentity as Id;
    AccessPolicy::new().allow(
        &format!("/{SERVICE}/"),
        &[Id::GATEWAY, Id::INTERNAL, Id::OPERATOR],
    )
}

pub struct AnalysisApi {
    app: AnalysisApp,
}

impl AnalysisApi {
    pub fn new(app: AnalysisApp) -> Self {
        Self { app }
    }

    pub fn into_server(self) -> AnalysisServiceServer<Self> {
        AnalysisServiceServer::new(self)
    }
}

#[tonic::async_trait]
impl AnalysisService for AnalysisApi {
    async fn submit_legal_person_analysis(
        &self,
        request: Request<SubmitLegalPersonAnalysisRequest>,
    ) -> Result<Response<LegalPersonAnalysis>, Status> {
        let principal = require_scope(&request, ANALYSIS_WRITE)?;
        let bearer = forwarded_authorization(&request);
        let SubmitLegalPersonAnalysisRequest {
            proposal,
            validate_only,
        } = request.into_inner();
        let proposal = Proposal::try_from(proposal.unwrap_or_default())
            .map_err(AnalysisError::InvalidProposal)?;
        if validate_only {
            // Checked, not decided: nothing is stored or billed.
            return Ok(Response::new(LegalPersonAnalysis {
                id: proposal.id.as_str().to_owned(),
                ..LegalPersonAnalysis::default()
            }));
        }
        let analysis = self
            .app
            .submit(&principal.tenant_id, bearer.as_deref(), proposal)
            .await?;
        Ok(Response::new(analysis.into()))
    }

    async fn get_analysis(
        &self,
        request: Request<GetAnalysisRequest>,
    ) -> Result<Response<LegalPersonAnalysis>, Status> {
        let principal = require_scope(&request, ANALYSIS_READ)?;
        let id = request.into_inner().id;
        let analysis = self.app.get(&principal.tenant_id, &id).await?;
        Ok(Response::new(analysis.into()))
    }
}

impl From<AnalysisStatus> for PbStatus {
    fn from(status: AnalysisStatus) -> Self {
        match status {
            AnalysisStatus::Pending => Self::Pending,
            AnalysisStatus::WaitingForData => Self::WaitingForData,
            AnalysisStatus::AutomaticallyApproved => Self::AutomaticallyApproved,
            AnalysisStatus::AutomaticallyReproved => Self::AutomaticallyReproved,
            AnalysisStatus::AutomaticallyChallenged => Self::AutomaticallyChallenged,
            AnalysisStatus::InManualAnalysis => Self::InManualAnalysis,
            AnalysisStatus::ManuallyApproved => Self::ManuallyApproved,
            AnalysisStatus::ManuallyReproved => Self::ManuallyReproved,
            AnalysisStatus::ManuallyChallenged => Self::ManuallyChallenged,
        }
    }
}

impl From<Recommendation> for PbRecommendation {
    fn from(recommendation: Recommendation) -> Self {
        match recommendation {
            Recommendation::Approve => Self::Approve,
            Recommendation::Refuse => Self::Refuse,
            Recommendation::RequestGuarantees => Self::RequestGuarantees,
        }
    }
}

impl From<Analysis> for LegalPersonAnalysis {
    fn from(analysis: Analysis) -> Self {
        let decision = analysis.decision;
        Self {
            id: analysis.id.as_str().to_owned(),
            analysis_status: PbStatus::from(decision.status).into(),
            reason: decision.reason,
            company_score: i32::try_from(decision.company_score).unwrap_or(0),
            probability_of_default: decision.probability_of_default,
            recommendation: PbRecommendation::from(decision.recommendation).into(),
            credit_limit: Some(Money {
                cents: decision.credit_limit_cents,
                currency: decision.currency.as_str().to_owned(),
            }),
            justification: decision
                .justification
                .into_iter()
                .map(|j| Reason {
                    code: j.code,
                    description: j.description,
                    impact: j.impact,
                })
                .collect(),
            created_at: Some(to_timestamp(analysis.created_at)),
            updated_at: Some(to_timestamp(analysis.updated_at)),
        }
    }
}
