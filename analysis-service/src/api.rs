//! gRPC surface of analysis-service: who may call what, and the proto mapping of each call.

pub mod lifecycle;
pub mod policies;
pub mod proposal;

use crate::{
    app::{AnalysisApp, Submitter},
    domain::{
        analysis::{Analysis, WAITING_REASON},
        decision::{AnalysisStatus, Recommendation},
        lifecycle::{Actor, ActorType, Resolution},
        proposal::Proposal,
    },
    error::AnalysisError,
};
use aval_errors::{FieldCode, FieldViolation};
use aval_proto::{
    analysis::v1::{
        AnalysisDetails, AnalysisHistory, AnalysisStatus as PbStatus, AnswerChallengeRequest,
        CreditAnalysis, GetAnalysisRequest, GetPerformanceReportRequest, ListAnalysesRequest,
        ListAnalysesResponse, PerformanceReport, Recommendation as PbRecommendation,
        ReplayAnalysisResponse, ReportCreditOutcomeRequest, ResolveAnalysisRequest,
        SubmitLegalPersonAnalysisRequest, SubmitNaturalPersonAnalysisRequest,
        analysis_service_server::{AnalysisService, AnalysisServiceServer},
    },
    common::v1::{Money, Reason},
};
use aval_transport::{
    authz::AccessPolicy,
    bearer::{Acting, Principal, acting_for, forwarded_authorization, require_scope},
    identity::MeshIdentity,
    time::to_timestamp,
};
use chrono::{SubsecRound, Utc};
use lifecycle::ListQuery;
use proposal::{validate, validate_natural_person};
use tonic::{Request, Response, Status};

const SERVICE: &str = "aval.analysis.v1.AnalysisService";
/// The gRPC services whose health this service reports.
pub const SERVICE_NAMES: &[&str] = &[SERVICE, policies::SERVICE];
pub const ANALYSIS_WRITE: &str = "analysis:write";
pub const ANALYSIS_READ: &str = "analysis:read";
/// The tenant's analysts: the queue, the details, the resolutions.
pub const ANALYSIS_REVIEW: &str = "analysis:review";

/// Partners (through the gateway or their internal clients) and operators work analyses (a
/// partner with its token, the operator naming the tenant); only operators manage policies.
pub fn access_policy() -> AccessPolicy {
    use MeshIdentity as Id;
    AccessPolicy::new()
        .allow(
            &format!("/{SERVICE}/"),
            &[Id::GATEWAY, Id::INTERNAL, Id::OPERATOR],
        )
        .allow(&format!("/{}/", policies::SERVICE), &[Id::OPERATOR])
}

/// A proposal's submission, whatever its kind: the partner (holding `analysis:write`), its
/// token (forwarded to score-service) and the instant it is received at.
struct Submission {
    principal: Principal,
    bearer: Option<String>,
    received_at: chrono::DateTime<Utc>,
}

impl Submission {
    fn of<T>(request: Request<T>) -> Result<(Self, T), Status> {
        let principal = require_scope(&request, ANALYSIS_WRITE)?;
        let bearer = forwarded_authorization(&request);
        // One instant: the proposal is checked as of it, an undated one is dated by it, and the
        // analysis is created at it, so replay reads the proposal back exactly.
        let received_at = Utc::now().trunc_subsecs(6);
        let submission = Self {
            principal,
            bearer,
            received_at,
        };
        Ok((submission, request.into_inner()))
    }
}

pub struct AnalysisApi {
    app: AnalysisApp,
}

impl AnalysisApi {
    pub fn new(app: AnalysisApp) -> Self {
        Self { app }
    }

    /// A validated proposal of either kind: checked only (`validate_only`: nothing decided,
    /// stored or billed), or decided.
    async fn submit(
        &self,
        submission: &Submission,
        proposal: Proposal,
        validate_only: bool,
    ) -> Result<Response<CreditAnalysis>, Status> {
        if validate_only {
            return Ok(Response::new(CreditAnalysis {
                id: proposal.id().as_str().to_owned(),
                kind: proposal.kind().as_str().to_owned(),
                ..CreditAnalysis::default()
            }));
        }
        let submitter = Submitter {
            tenant_id: &submission.principal.tenant_id,
            client_id: &submission.principal.client_id,
            bearer: submission.bearer.as_deref(),
        };
        let analysis = self
            .app
            .submit(&submitter, proposal, submission.received_at)
            .await?;
        Ok(Response::new(analysis.into()))
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
    ) -> Result<Response<CreditAnalysis>, Status> {
        let (submission, body) = Submission::of(request)?;
        let proposal = validate(body.proposal.unwrap_or_default(), submission.received_at)
            .map_err(AnalysisError::InvalidProposal)?;
        self.submit(
            &submission,
            Proposal::LegalPerson(proposal),
            body.validate_only,
        )
        .await
    }

    async fn submit_natural_person_analysis(
        &self,
        request: Request<SubmitNaturalPersonAnalysisRequest>,
    ) -> Result<Response<CreditAnalysis>, Status> {
        let (submission, body) = Submission::of(request)?;
        let proposal =
            validate_natural_person(body.proposal.unwrap_or_default(), submission.received_at)
                .map_err(AnalysisError::InvalidProposal)?;
        self.submit(
            &submission,
            Proposal::NaturalPerson(proposal),
            body.validate_only,
        )
        .await
    }

    async fn get_analysis(
        &self,
        request: Request<GetAnalysisRequest>,
    ) -> Result<Response<CreditAnalysis>, Status> {
        let acting = acting_for(&request, ANALYSIS_READ, &request.get_ref().tenant_id)?;
        let id = request.into_inner().id;
        let analysis = self.app.get(acting.tenant_id(), &id).await?;
        Ok(Response::new(analysis.into()))
    }

    async fn list_analyses(
        &self,
        request: Request<ListAnalysesRequest>,
    ) -> Result<Response<ListAnalysesResponse>, Status> {
        let acting = acting_for(&request, ANALYSIS_REVIEW, &request.get_ref().tenant_id)?;
        let query = ListQuery::try_from(request.get_ref())?;
        let page = self
            .app
            .list(
                acting.tenant_id(),
                &query.filter,
                query.page_size,
                query.after.as_ref(),
            )
            .await?;
        Ok(Response::new(page.into()))
    }

    async fn get_analysis_details(
        &self,
        request: Request<GetAnalysisRequest>,
    ) -> Result<Response<AnalysisDetails>, Status> {
        let acting = acting_for(&request, ANALYSIS_REVIEW, &request.get_ref().tenant_id)?;
        let (tenant_id, id) = (acting.tenant_id(), &request.get_ref().id);
        let record = self.app.details(tenant_id, id).await?;
        let revisions = self.app.revisions(tenant_id, id).await?;
        Ok(Response::new(lifecycle::details(record, revisions)))
    }

    async fn resolve_analysis(
        &self,
        request: Request<ResolveAnalysisRequest>,
    ) -> Result<Response<CreditAnalysis>, Status> {
        let acting = acting_for(&request, ANALYSIS_REVIEW, &request.get_ref().tenant_id)?;
        let resolution = Resolution::try_from(request.get_ref())?;
        let analysis = self
            .app
            .resolve(
                acting.tenant_id(),
                &request.get_ref().id,
                resolution,
                actor(&acting),
            )
            .await?;
        Ok(Response::new(analysis.into()))
    }

    async fn answer_challenge(
        &self,
        request: Request<AnswerChallengeRequest>,
    ) -> Result<Response<CreditAnalysis>, Status> {
        // The partner's own token: the partners' scores are fetched on it.
        let principal = require_scope(&request, ANALYSIS_WRITE)?;
        let bearer = forwarded_authorization(&request);
        let received_at = Utc::now().trunc_subsecs(6);
        let proposal = match request.into_inner() {
            AnswerChallengeRequest {
                proposal: Some(company),
                natural_person_proposal: None,
                ..
            } => validate(company, received_at).map(Proposal::LegalPerson),
            AnswerChallengeRequest {
                proposal: None,
                natural_person_proposal: Some(person),
                ..
            } => validate_natural_person(person, received_at).map(Proposal::NaturalPerson),
            _ => {
                return Err(AnalysisError::InvalidRequest(vec![FieldViolation::new(
                    "proposal",
                    FieldCode::Required,
                    "exactly one of proposal (a company's) and natural_person_proposal (a \
                     person's)",
                )])
                .into());
            }
        }
        .map_err(AnalysisError::InvalidProposal)?;
        let actor = actor(&Acting::Partner(principal.clone()));
        let analysis = self
            .app
            .answer_challenge(
                &principal.tenant_id,
                bearer.as_deref(),
                proposal,
                received_at,
                actor,
            )
            .await?;
        Ok(Response::new(analysis.into()))
    }

    async fn report_credit_outcome(
        &self,
        request: Request<ReportCreditOutcomeRequest>,
    ) -> Result<Response<CreditAnalysis>, Status> {
        let acting = acting_for(&request, ANALYSIS_WRITE, &request.get_ref().tenant_id)?;
        let outcome = lifecycle::credit_outcome(request.get_ref(), Utc::now())?;
        let analysis = self
            .app
            .report_outcome(
                acting.tenant_id(),
                &request.get_ref().id,
                outcome,
                actor(&acting),
            )
            .await?;
        Ok(Response::new(analysis.into()))
    }

    async fn replay_analysis(
        &self,
        request: Request<GetAnalysisRequest>,
    ) -> Result<Response<ReplayAnalysisResponse>, Status> {
        let acting = acting_for(&request, ANALYSIS_REVIEW, &request.get_ref().tenant_id)?;
        let id = &request.get_ref().id;
        let (delivered, replayed) = self.app.replay(acting.tenant_id(), id).await?;
        let differences = delivered.differences(&replayed);
        Ok(Response::new(ReplayAnalysisResponse {
            id: id.clone(),
            policy_id: delivered.policy_id.clone(),
            policy_version: delivered.policy_version,
            delivered_status: PbStatus::from(delivered.status).into(),
            replayed_status: PbStatus::from(replayed.status).into(),
            identical: differences.is_empty(),
            differences,
        }))
    }

    async fn get_performance_report(
        &self,
        request: Request<GetPerformanceReportRequest>,
    ) -> Result<Response<PerformanceReport>, Status> {
        let acting = acting_for(&request, ANALYSIS_REVIEW, &request.get_ref().tenant_id)?;
        let (from, before) = lifecycle::report_period(
            request.get_ref().created_from.as_ref(),
            request.get_ref().created_to.as_ref(),
        )?;
        let policies = self
            .app
            .performance(acting.tenant_id(), from, before)
            .await?;
        Ok(Response::new(lifecycle::performance(policies)))
    }

    async fn get_analysis_history(
        &self,
        request: Request<GetAnalysisRequest>,
    ) -> Result<Response<AnalysisHistory>, Status> {
        let acting = acting_for(&request, ANALYSIS_READ, &request.get_ref().tenant_id)?;
        let id = &request.get_ref().id;
        let steps = self.app.history(acting.tenant_id(), id).await?;
        Ok(Response::new(lifecycle::history(id, steps)))
    }
}

/// The actor a step records: the partner's client, or the operator.
fn actor(acting: &Acting) -> Actor {
    match acting {
        Acting::Partner(principal) => Actor {
            kind: ActorType::Partner,
            id: principal.client_id.clone(),
        },
        Acting::Operator { .. } => Actor {
            kind: ActorType::Operator,
            id: MeshIdentity::OPERATOR.to_owned(),
        },
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

impl From<Analysis> for CreditAnalysis {
    fn from(analysis: Analysis) -> Self {
        let mut answer = Self::default();
        lifecycle::lifecycle_fields(&analysis, &mut answer);
        let recommendation = analysis.recommendation();
        let credit_limit_cents = analysis.credit_limit_cents();
        let common = Self {
            id: analysis.id.as_str().to_owned(),
            analysis_status: PbStatus::from(analysis.status).into(),
            kind: analysis.kind.as_str().to_owned(),
            created_at: Some(to_timestamp(analysis.created_at)),
            updated_at: Some(to_timestamp(analysis.updated_at)),
            ..answer
        };
        let Some(decision) = analysis.decision else {
            // Waiting for data: why, and nothing decided yet.
            return Self {
                reason: WAITING_REASON.to_owned(),
                ..common
            };
        };
        Self {
            reason: decision.reason,
            score: i32::try_from(decision.score).unwrap_or(0),
            probability_of_default: decision.probability_of_default,
            recommendation: recommendation
                .map_or(PbRecommendation::Unspecified, PbRecommendation::from)
                .into(),
            credit_limit: credit_limit_cents.map(|cents| Money {
                cents,
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
            ..common
        }
    }
}
