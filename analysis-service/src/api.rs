//! gRPC surface of analysis-service: who may call what, and the handlers.

pub mod proposal;

use crate::{
    domain::{
        decision::{AnalysisStatus, Decision, Recommendation, decide},
        policy::Policy,
        proposal::Proposal,
    },
    error::AnalysisError,
    store::{self, OUTBOX},
};
use aval_credit::Cpf;
use aval_metering::{Product, QuotaGate, QuotaVerdict, UsageRecord};
use aval_proto::{
    analysis::v1::{
        AnalysisStatus as PbStatus, GetAnalysisRequest, LegalPersonAnalysis, LegalPersonProposal,
        Recommendation as PbRecommendation, SubmitLegalPersonAnalysisRequest,
        analysis_service_server::{AnalysisService, AnalysisServiceServer},
    },
    common::v1::{Money, Reason},
    score::v1::{GetScoreRequest, score_service_client::ScoreServiceClient},
};
use aval_transport::{
    authz::AccessPolicy,
    bearer::{Principal, forwarded_authorization, require_scope},
    client::MeshChannel,
    identity::MeshIdentity,
    time::to_timestamp,
};
use base64::{Engine, engine::general_purpose::STANDARD as B64};
use chrono::{DateTime, SubsecRound, Utc};
use futures_util::future::join_all;
use prost::Message;
use sea_orm::{DatabaseConnection, TransactionTrait};
use std::{collections::BTreeMap, sync::Arc};
use tonic::{Code, Request, Response, Status, metadata::MetadataValue};

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
    db: DatabaseConnection,
    policy: Arc<Policy>,
    quota: Arc<QuotaGate>,
    score: ScoreServiceClient<MeshChannel>,
}

/// What is stored of a proposal: its exact protobuf bytes (the audit record replays from them).
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredProposal {
    encoding: String,
    data: String,
}

impl AnalysisApi {
    pub fn new(
        db: DatabaseConnection,
        policy: Policy,
        quota: QuotaGate,
        score: MeshChannel,
    ) -> Self {
        Self {
            db,
            policy: Arc::new(policy),
            quota: Arc::new(quota),
            score: ScoreServiceClient::new(score),
        }
    }

    pub fn into_server(self) -> AnalysisServiceServer<Self> {
        AnalysisServiceServer::new(self)
    }

    /// The partners' CPF scores from score-service, on the caller's token. A CPF without data is
    /// an unknown score (the policy sends such proposals to manual review). score-service
    /// failing is not: the analysis is refused as unavailable, nothing is stored or billed, and
    /// the partner retries with the same id.
    async fn partner_scores(
        &self,
        proposal: &Proposal,
        bearer: Option<&str>,
    ) -> Result<BTreeMap<Cpf, Option<u32>>, AnalysisError> {
        let lookups = proposal.partner_documents().into_iter().map(|cpf| {
            let mut client = self.score.clone();
            let mut request = Request::new(GetScoreRequest {
                document: cpf.digits().to_owned(),
                ..GetScoreRequest::default()
            });
            if let Some(value) = bearer.and_then(|b| MetadataValue::try_from(b).ok()) {
                request.metadata_mut().insert("authorization", value);
            }
            async move {
                let score = match client.get_score(request).await {
                    Ok(answer) => Ok(u32::try_from(answer.into_inner().score).ok()),
                    Err(status) if status.code() == Code::NotFound => Ok(None),
                    Err(status) => {
                        tracing::warn!(cpf = %cpf, %status, "partner score unavailable");
                        Err(AnalysisError::ScoresUnavailable)
                    }
                };
                score.map(|s| (cpf, s))
            }
        });
        join_all(lookups).await.into_iter().collect()
    }

    async fn submit(
        &self,
        principal: &Principal,
        bearer: Option<&str>,
        raw: LegalPersonProposal,
    ) -> Result<LegalPersonAnalysis, AnalysisError> {
        let bytes = raw.encode_to_vec();
        let hash = sha256_hex(&bytes);
        let proposal = Proposal::try_from(raw).map_err(AnalysisError::InvalidProposal)?;
        let proposal_id = proposal.id.as_str().to_owned();

        if let Some(existing) =
            store::analyses::find(&self.db, &principal.tenant_id, &proposal_id).await?
        {
            return replay_or_conflict(existing, &hash);
        }
        if let QuotaVerdict::Refused { reason } = self
            .quota
            .check(&principal.tenant_id, Product::LegalPersonAnalysis)
            .await
        {
            return Err(AnalysisError::QuotaExceeded(reason));
        }
        let scores = self.partner_scores(&proposal, bearer).await?;
        let decision = decide(&self.policy, &proposal, &scores);
        // Microseconds: what every engine stores, so the first answer and its replays agree.
        let now = Utc::now().trunc_subsecs(6);
        let stored = store::analyses::Model {
            tenant_id: principal.tenant_id.clone(),
            proposal_id: proposal_id.clone(),
            proposal_hash: hash.clone(),
            proposal: serde_json::to_value(StoredProposal {
                encoding: "protobuf/aval.analysis.v1.LegalPersonProposal;base64".to_owned(),
                data: B64.encode(&bytes),
            })?,
            status: decision.status.as_str().to_owned(),
            decision: serde_json::to_value(&decision)?,
            created_at: now,
            updated_at: now,
        };

        // The analysis and its usage event commit together. The event id is the proposal's
        // key, so even a retried submission is billed once.
        let txn = self.db.begin().await?;
        if !store::analyses::insert(&txn, stored.clone()).await? {
            txn.rollback().await?;
            let existing = store::analyses::find(&self.db, &principal.tenant_id, &proposal_id)
                .await?
                .ok_or_else(|| AnalysisError::NotFound(proposal_id.clone()))?;
            return replay_or_conflict(existing, &hash);
        }
        OUTBOX
            .enqueue(
                &txn,
                &UsageRecord {
                    event_id: analysis_event_id(&principal.tenant_id, &proposal_id),
                    tenant_id: principal.tenant_id.clone(),
                    product: Product::LegalPersonAnalysis,
                    occurred_at: now,
                    sandbox: false,
                },
            )
            .await?;
        txn.commit().await?;
        tracing::info!(
            cnpj = %proposal.document,
            status = decision.status.as_str(),
            tenant = %principal.tenant_id,
            "analysis decided"
        );
        Ok(to_pb(&proposal_id, &decision, now, now))
    }
}

/// The stored answer when the body is the same, a conflict when it is not.
fn replay_or_conflict(
    existing: store::analyses::Model,
    hash: &str,
) -> Result<LegalPersonAnalysis, AnalysisError> {
    if existing.proposal_hash != hash {
        return Err(AnalysisError::ProposalConflict(existing.proposal_id));
    }
    stored_to_pb(existing)
}

fn stored_to_pb(stored: store::analyses::Model) -> Result<LegalPersonAnalysis, AnalysisError> {
    let decision: Decision = serde_json::from_value(stored.decision)?;
    Ok(to_pb(
        &stored.proposal_id,
        &decision,
        stored.created_at,
        stored.updated_at,
    ))
}

/// The usage event id of an analysis: fixed length whatever the ids (billing accepts up to 128
/// characters), and the same for a retried submission, so it is billed once.
fn analysis_event_id(tenant_id: &str, proposal_id: &str) -> String {
    let key = format!("{}\u{0}{}", tenant_id, proposal_id);
    format!("analysis:{}", sha256_hex(key.as_bytes()))
}

fn sha256_hex(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn status_to_pb(status: AnalysisStatus) -> PbStatus {
    match status {
        AnalysisStatus::Pending => PbStatus::Pending,
        AnalysisStatus::WaitingForData => PbStatus::WaitingForData,
        AnalysisStatus::AutomaticallyApproved => PbStatus::AutomaticallyApproved,
        AnalysisStatus::AutomaticallyReproved => PbStatus::AutomaticallyReproved,
        AnalysisStatus::AutomaticallyChallenged => PbStatus::AutomaticallyChallenged,
        AnalysisStatus::InManualAnalysis => PbStatus::InManualAnalysis,
        AnalysisStatus::ManuallyApproved => PbStatus::ManuallyApproved,
        AnalysisStatus::ManuallyReproved => PbStatus::ManuallyReproved,
        AnalysisStatus::ManuallyChallenged => PbStatus::ManuallyChallenged,
    }
}

fn recommendation_to_pb(recommendation: Recommendation) -> PbRecommendation {
    match recommendation {
        Recommendation::Approve => PbRecommendation::Approve,
        Recommendation::Refuse => PbRecommendation::Refuse,
        Recommendation::RequestGuarantees => PbRecommendation::RequestGuarantees,
    }
}

fn to_pb(
    id: &str,
    decision: &Decision,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
) -> LegalPersonAnalysis {
    LegalPersonAnalysis {
        id: id.to_owned(),
        analysis_status: status_to_pb(decision.status).into(),
        reason: decision.reason.clone(),
        company_score: i32::try_from(decision.company_score).unwrap_or(0),
        probability_of_default: decision.probability_of_default,
        recommendation: recommendation_to_pb(decision.recommendation).into(),
        credit_limit: Some(Money {
            cents: decision.credit_limit_cents,
            currency: decision.currency.as_str().to_owned(),
        }),
        justification: decision
            .justification
            .iter()
            .map(|j| Reason {
                code: j.code.clone(),
                description: j.description.clone(),
                impact: j.impact,
            })
            .collect(),
        created_at: Some(to_timestamp(created_at)),
        updated_at: Some(to_timestamp(updated_at)),
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
        let proposal = request.into_inner().proposal.unwrap_or_default();
        let analysis = self.submit(&principal, bearer.as_deref(), proposal).await?;
        Ok(Response::new(analysis))
    }

    async fn get_analysis(
        &self,
        request: Request<GetAnalysisRequest>,
    ) -> Result<Response<LegalPersonAnalysis>, Status> {
        let principal = require_scope(&request, ANALYSIS_READ)?;
        let id = request.into_inner().id;
        // Another tenant's analysis is as absent as one that never existed.
        let stored = store::analyses::find(&self.db, &principal.tenant_id, &id)
            .await
            .map_err(AnalysisError::from)?
            .ok_or(AnalysisError::NotFound(id))?;
        Ok(Response::new(stored_to_pb(stored)?))
    }
}
