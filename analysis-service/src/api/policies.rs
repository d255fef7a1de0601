//! gRPC surface of a tenant's analysis policies: operators publish, list and activate versions.

use crate::{
    app::{
        PolicyRegistry,
        policies::{ListedPolicy, parse},
    },
    error::AnalysisError,
};
use aval_errors::{FieldCode, FieldViolation};
use aval_proto::analysis::v1::{
    ActivatePolicyRequest, AnalysisStatus as PbStatus, ChangedDecision, DryRunPolicyRequest,
    DryRunReport, ListPoliciesRequest, ListPoliciesResponse, PolicyRef, PolicyVersion,
    PublishPolicyRequest, SkippedAnalysis, StatusChangeCount,
    analysis_policy_service_server::{AnalysisPolicyService, AnalysisPolicyServiceServer},
    dry_run_policy_request::Candidate,
};
use aval_transport::time::to_timestamp;
use std::sync::Arc;
use tonic::{Request, Response, Status};

pub const SERVICE: &str = "aval.analysis.v1.AnalysisPolicyService";

pub struct PoliciesApi {
    registry: Arc<PolicyRegistry>,
}

impl PoliciesApi {
    pub fn new(registry: Arc<PolicyRegistry>) -> Self {
        Self { registry }
    }

    pub fn into_server(self) -> AnalysisPolicyServiceServer<Self> {
        AnalysisPolicyServiceServer::new(self)
    }
}

/// Analyses a dry run decides again when the request does not say.
const DEFAULT_DRY_RUN: u64 = 500;
/// Most analyses one dry run decides again.
const MAX_DRY_RUN: u64 = 5000;

/// The tenant an operator names (required).
fn tenant(tenant_id: &str) -> Result<&str, Status> {
    let tenant_id = tenant_id.trim();
    if tenant_id.is_empty() {
        return Err(invalid(
            "tenant_id",
            FieldCode::Required,
            "an operator names the tenant",
        ));
    }
    Ok(tenant_id)
}

fn invalid(field: &str, code: FieldCode, message: &str) -> Status {
    AnalysisError::InvalidRequest(vec![FieldViolation::new(field, code, message)]).into()
}

impl From<ListedPolicy> for PolicyVersion {
    fn from(listed: ListedPolicy) -> Self {
        let policy = &listed.policy;
        Self {
            policy_id: policy.id().to_owned(),
            version: policy.version(),
            description: policy.description().to_owned(),
            features: policy
                .features()
                .iter()
                .map(|f| f.as_str().to_owned())
                .collect(),
            published_at: listed.published_at.map(to_timestamp),
            active: listed.active,
            kind: policy.kind().as_str().to_owned(),
        }
    }
}

#[tonic::async_trait]
impl AnalysisPolicyService for PoliciesApi {
    async fn publish_policy(
        &self,
        request: Request<PublishPolicyRequest>,
    ) -> Result<Response<PolicyVersion>, Status> {
        let request = request.into_inner();
        let listed = self
            .registry
            .publish(tenant(&request.tenant_id)?, &request.document)
            .await?;
        Ok(Response::new(listed.into()))
    }

    async fn list_policies(
        &self,
        request: Request<ListPoliciesRequest>,
    ) -> Result<Response<ListPoliciesResponse>, Status> {
        let listed = self
            .registry
            .list(tenant(&request.get_ref().tenant_id)?)
            .await?;
        Ok(Response::new(ListPoliciesResponse {
            policies: listed.into_iter().map(Into::into).collect(),
        }))
    }

    async fn dry_run_policy(
        &self,
        request: Request<DryRunPolicyRequest>,
    ) -> Result<Response<DryRunReport>, Status> {
        let request = request.into_inner();
        let tenant_id = tenant(&request.tenant_id)?;
        let last = match request.last {
            None => DEFAULT_DRY_RUN,
            Some(n) if (1..=MAX_DRY_RUN).contains(&u64::from(n)) => u64::from(n),
            Some(_) => {
                return Err(invalid(
                    "last",
                    FieldCode::OutOfRange,
                    &format!("from 1 to {MAX_DRY_RUN}"),
                ));
            }
        };
        let candidate = match request.candidate {
            Some(Candidate::Document(document)) => Arc::new(parse(&document)?),
            Some(Candidate::Published(PolicyRef { policy_id, version })) => self
                .registry
                .version(tenant_id, &policy_id, version)
                .await?
                .ok_or_else(|| AnalysisError::NotFound(format!("policy {policy_id} v{version}")))?,
            None => {
                return Err(invalid(
                    "candidate",
                    FieldCode::Required,
                    "a document or a published version",
                ));
            }
        };
        let run = self.registry.dry_run(tenant_id, &candidate, last).await?;
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let status = |s| i32::from(PbStatus::from(s));
        Ok(Response::new(DryRunReport {
            policy_id: candidate.id().to_owned(),
            version: candidate.version(),
            evaluated: count(run.evaluated),
            changed: count(run.changes.len()),
            transitions: run
                .transitions
                .iter()
                .map(|((from, to), n)| StatusChangeCount {
                    from: status(*from),
                    to: status(*to),
                    count: count(*n),
                })
                .collect(),
            changes: run
                .changes
                .into_iter()
                .map(|c| ChangedDecision {
                    analysis_id: c.analysis_id,
                    from: status(c.before),
                    to: status(c.after),
                    reason_before: c.reason_before,
                    reason_after: c.reason_after,
                    rules_fired_before: c.rules_fired_before,
                    rules_fired_after: c.rules_fired_after,
                })
                .collect(),
            skipped: run
                .skipped
                .into_iter()
                .map(|(analysis_id, reason)| SkippedAnalysis {
                    analysis_id,
                    reason,
                })
                .collect(),
        }))
    }

    async fn activate_policy(
        &self,
        request: Request<ActivatePolicyRequest>,
    ) -> Result<Response<PolicyVersion>, Status> {
        let request = request.into_inner();
        let listed = self
            .registry
            .activate(
                tenant(&request.tenant_id)?,
                &request.policy_id,
                request.version,
            )
            .await?;
        Ok(Response::new(listed.into()))
    }
}
