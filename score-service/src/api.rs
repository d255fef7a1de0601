//! gRPC surface of score-service: who may call what, and the handlers. Scores, answers and
//! lenders' reports on them here (their mapping in [`outcomes`]); models and features in
//! [`models`], profile imports in [`profiles`].

pub mod models;
pub mod outcomes;
pub mod profiles;
pub mod rights;

use crate::{
    app::{Replay, Requester, ScoreApp, ScoreRequest, profiles::ProfilesApp},
    domain::{
        ProfileOwner,
        answer::ScoreAnswer,
        band::RiskBand,
        profile::ConsumerProfile,
        request::{
            CustomerId, MAX_PROFILES_PER_UPSERT, ModelChoice, Purpose, SCORE_READ, SCORE_REVIEW,
            SCORE_WRITE,
        },
    },
    error::ScoreError,
};
use aval_credit::Cpf;
use aval_errors::{FieldCode, FieldViolation};
use aval_proto::{
    common::v1::Reason,
    score::v1::{
        GetAnswerRequest, GetPerformanceReportRequest, GetScoreRequest, GetScoreResponse,
        PerformanceReport, PersonScore, ReplayAnswerRequest, ReplayAnswerResponse,
        ReportScoreOutcomeRequest, RiskBand as PbRiskBand, ScoreOutcome,
        ScoreProposalPeopleRequest, ScoreProposalPeopleResponse, UpsertProfilesRequest,
        UpsertProfilesResponse,
        score_service_server::{ScoreService, ScoreServiceServer},
    },
};
use aval_transport::{
    authz::{AccessPolicy, Caller},
    bearer::{Principal, acting_for, require_principal, require_scope},
    behalf,
    identity::MeshIdentity,
    time::to_timestamp,
};
use chrono::Utc;
use std::sync::Arc;
use tonic::{Request, Response, Status};

const SERVICE: &str = "aval.score.v1.ScoreService";
/// The gRPC services whose health this service reports.
pub const SERVICE_NAMES: &[&str] = &[SERVICE, models::SERVICE, profiles::SERVICE, rights::SERVICE];

/// Partners (through the gateway), analysis-service and operators read scores; partners read
/// their answers again, report what became of their credit, read how they performed and serve
/// their consumers' rights; only operators load data, publish models and replay answers.
pub fn access_policy() -> AccessPolicy {
    use MeshIdentity as Id;
    let operator_only = [
        format!("/{SERVICE}/UpsertProfiles"),
        format!("/{SERVICE}/ReplayAnswer"),
        format!("/{}/PublishModel", models::SERVICE),
        format!("/{}/ListModels", models::SERVICE),
        format!("/{}/RetireModel", models::SERVICE),
        format!("/{}/DeclareFeatures", models::SERVICE),
        format!("/{}/ListFeatures", models::SERVICE),
        format!("/{}/ImportProfiles", profiles::SERVICE),
    ];
    let partners = [
        "Disclose",
        "CreateReviewRequest",
        "GetReviewRequest",
        "ListReviewRequests",
        "AnswerReviewRequest",
    ]
    .map(|method| format!("/{}/{method}", rights::SERVICE));
    let policy = partners.iter().fold(AccessPolicy::new(), |policy, path| {
        policy.allow(path, &[Id::GATEWAY, Id::INTERNAL])
    });
    // Rules are path prefixes: no RPC may be named with another's name as its start (the
    // `GetScore` rule would let analysis-service call a `GetScore…` RPC).
    operator_only.iter().fold(
        policy
            .allow(
                &format!("/{SERVICE}/GetScore"),
                &[Id::GATEWAY, Id::ANALYSIS, Id::INTERNAL, Id::OPERATOR],
            )
            .allow(
                &format!("/{SERVICE}/GetAnswer"),
                &[Id::GATEWAY, Id::INTERNAL, Id::OPERATOR],
            )
            .allow(
                &format!("/{SERVICE}/ReportScoreOutcome"),
                &[Id::GATEWAY, Id::INTERNAL, Id::OPERATOR],
            )
            .allow(
                &format!("/{SERVICE}/GetPerformanceReport"),
                &[Id::GATEWAY, Id::INTERNAL, Id::OPERATOR],
            )
            .allow(&format!("/{SERVICE}/ScoreProposalPeople"), &[Id::ANALYSIS]),
        |policy, path| policy.allow(path, &[Id::OPERATOR]),
    )
}

/// Whom analysis-service acts for: the partner's token it forwards, or, deciding a proposal
/// that waited for data (the partner gone), the tenant and client it names.
fn analysis_principal<T>(request: &Request<T>) -> Result<Principal, Status> {
    behalf::principal(request, MeshIdentity::ANALYSIS)
        .map_or_else(|| require_principal(request), Ok)
}

/// The most people one proposal's lookup may carry.
pub const MAX_PROPOSAL_PEOPLE: usize = 64;

/// The CPFs of a proposal's people, each valid and named once; every refused one named by
/// its index.
fn proposal_people(documents: &[String]) -> Result<Vec<Cpf>, ScoreError> {
    let mut violations = Vec::new();
    if documents.len() > MAX_PROPOSAL_PEOPLE {
        violations.push(FieldViolation::new(
            "documents",
            FieldCode::TooMany,
            format!("at most {MAX_PROPOSAL_PEOPLE}"),
        ));
    }
    let mut cpfs: Vec<Cpf> = Vec::with_capacity(documents.len());
    for (i, document) in documents.iter().enumerate() {
        match Cpf::parse(document) {
            Ok(cpf) if cpfs.contains(&cpf) => violations.push(FieldViolation::new(
                format!("documents[{i}]"),
                FieldCode::Invalid,
                "named more than once",
            )),
            Ok(cpf) => cpfs.push(cpf),
            Err(e) => violations.push(FieldViolation::new(
                format!("documents[{i}]"),
                e.code(),
                e.to_string(),
            )),
        }
    }
    if violations.is_empty() {
        Ok(cpfs)
    } else {
        Err(ScoreError::InvalidRequest(violations))
    }
}

pub struct ScoreApi {
    app: ScoreApp,
    profiles: Arc<ProfilesApp>,
}

impl ScoreApi {
    pub fn new(app: ScoreApp, profiles: Arc<ProfilesApp>) -> Self {
        Self { app, profiles }
    }

    pub fn into_server(self) -> ScoreServiceServer<Self> {
        ScoreServiceServer::new(self)
    }
}

impl TryFrom<GetScoreRequest> for ScoreRequest {
    type Error = ScoreError;

    fn try_from(request: GetScoreRequest) -> Result<Self, ScoreError> {
        let cpf = Cpf::parse(&request.document).map_err(|e| {
            ScoreError::InvalidDocument(vec![FieldViolation::new(
                "document",
                e.code(),
                e.to_string(),
            )])
        })?;
        let customer_id =
            CustomerId::parse(request.customer_id.as_deref()).map_err(|(code, rule)| {
                ScoreError::InvalidRequest(vec![FieldViolation::new("customer_id", code, rule)])
            })?;
        Ok(ScoreRequest {
            cpf,
            model: ModelChoice::parse(request.model.as_deref()),
            customer_id,
            request_id: request.request_id,
        })
    }
}

impl From<ScoreAnswer> for GetScoreResponse {
    fn from(answer: ScoreAnswer) -> Self {
        Self {
            score: i32::try_from(answer.score).unwrap_or(0),
            probability_of_default: answer.probability_of_default,
            band: band_to_pb(answer.band).into(),
            reasons: answer
                .reasons
                .into_iter()
                .map(|r| Reason {
                    code: r.code,
                    description: r.description,
                    impact: r.impact,
                })
                .collect(),
            model_id: answer.model_id,
            model_version: answer.model_version,
            scored_at: Some(to_timestamp(answer.scored_at)),
            answer_id: answer.answer_id,
        }
    }
}

pub(crate) fn band_to_pb(band: RiskBand) -> PbRiskBand {
    match band {
        RiskBand::VeryLow => PbRiskBand::VeryLow,
        RiskBand::Low => PbRiskBand::Low,
        RiskBand::Medium => PbRiskBand::Medium,
        RiskBand::High => PbRiskBand::High,
        RiskBand::VeryHigh => PbRiskBand::VeryHigh,
    }
}

/// Validates one profile from the wire; every problem is reported with its index.
fn profile_from_pb(
    i: usize,
    p: aval_proto::score::v1::ConsumerProfile,
    violations: &mut Vec<FieldViolation>,
) -> Option<ConsumerProfile> {
    let field = |name: &str| format!("profiles[{i}].{name}");
    let cpf = Cpf::parse(&p.document)
        .map_err(|e| {
            violations.push(FieldViolation::new(
                field("document"),
                e.code(),
                e.to_string(),
            ))
        })
        .ok();
    let non_negative = |name: &str, v: i64, violations: &mut Vec<FieldViolation>| {
        if v < 0 {
            violations.push(FieldViolation::new(
                field(name),
                FieldCode::OutOfRange,
                "must not be negative",
            ));
        }
    };
    non_negative(
        "months_as_customer",
        p.months_as_customer.into(),
        violations,
    );
    non_negative("late_payments_12m", p.late_payments_12m.into(), violations);
    non_negative(
        "average_monthly_spend_cents",
        p.average_monthly_spend_cents,
        violations,
    );
    non_negative("active_lines", p.active_lines.into(), violations);
    if !(0.0..=1.0).contains(&p.on_time_payment_ratio) {
        violations.push(FieldViolation::new(
            field("on_time_payment_ratio"),
            FieldCode::OutOfRange,
            "between 0 and 1",
        ));
    }
    Some(ConsumerProfile {
        cpf: cpf?,
        months_as_customer: u32::try_from(p.months_as_customer).ok()?,
        on_time_payment_ratio: p.on_time_payment_ratio,
        late_payments_12m: u32::try_from(p.late_payments_12m).ok()?,
        average_monthly_spend_cents: p.average_monthly_spend_cents,
        active_lines: u32::try_from(p.active_lines).ok()?,
        has_bank_account: p.has_bank_account,
    })
}

#[tonic::async_trait]
impl ScoreService for ScoreApi {
    async fn get_score(
        &self,
        request: Request<GetScoreRequest>,
    ) -> Result<Response<GetScoreResponse>, Status> {
        // analysis-service asks ScoreProposalPeople now; replicas of the previous release still
        // ask here, one person at a time, during a rolling upgrade.
        let from_analysis = request
            .extensions()
            .get::<Caller>()
            .is_some_and(|c| c.0.name() == MeshIdentity::ANALYSIS);
        let (principal, purpose) = if from_analysis {
            (analysis_principal(&request)?, Purpose::CreditAnalysis)
        } else {
            (require_scope(&request, SCORE_READ)?, Purpose::ConsumerScore)
        };
        let requester = Requester {
            tenant_id: principal.tenant_id,
            client_id: principal.client_id,
            purpose,
        };
        let request = ScoreRequest::try_from(request.into_inner())?;
        let answer = self.app.score(&requester, request).await?;
        Ok(Response::new(answer.into()))
    }

    async fn score_proposal_people(
        &self,
        request: Request<ScoreProposalPeopleRequest>,
    ) -> Result<Response<ScoreProposalPeopleResponse>, Status> {
        let principal = analysis_principal(&request)?;
        let requester = Requester {
            tenant_id: principal.tenant_id,
            client_id: principal.client_id,
            purpose: Purpose::CreditAnalysis,
        };
        let request = request.into_inner();
        let cpfs = proposal_people(&request.documents)?;
        let people = self
            .app
            .score_people(&requester, &cpfs, &request.request_id)
            .await?;
        Ok(Response::new(ScoreProposalPeopleResponse {
            people: people
                .into_iter()
                .map(|(cpf, answer)| PersonScore {
                    document: cpf.digits().to_owned(),
                    score: answer.as_ref().and_then(|a| i32::try_from(a.score).ok()),
                    answer_id: answer.map(|a| a.answer_id).unwrap_or_default(),
                })
                .collect(),
        }))
    }

    async fn upsert_profiles(
        &self,
        request: Request<UpsertProfilesRequest>,
    ) -> Result<Response<UpsertProfilesResponse>, Status> {
        let request = request.into_inner();
        let mut violations = Vec::new();
        if request.profiles.len() > MAX_PROFILES_PER_UPSERT {
            violations.push(FieldViolation::new(
                "profiles",
                FieldCode::TooMany,
                format!("at most {MAX_PROFILES_PER_UPSERT}"),
            ));
        }
        let owner = if request.shared {
            ProfileOwner::Shared
        } else {
            if request.tenant_id.is_empty() {
                violations.push(FieldViolation::new(
                    "tenant_id",
                    FieldCode::Required,
                    "a tenant, or shared = true",
                ));
            }
            ProfileOwner::Tenant(request.tenant_id)
        };
        let profiles: Vec<ConsumerProfile> = request
            .profiles
            .into_iter()
            .enumerate()
            .filter_map(|(i, p)| profile_from_pb(i, p, &mut violations))
            .collect();
        if !violations.is_empty() {
            return Err(ScoreError::InvalidRequest(violations).into());
        }
        let upserted = self.profiles.upsert(&owner, &profiles).await?;
        Ok(Response::new(UpsertProfilesResponse {
            upserted: i32::try_from(upserted).unwrap_or(i32::MAX),
        }))
    }

    async fn get_answer(
        &self,
        request: Request<GetAnswerRequest>,
    ) -> Result<Response<GetScoreResponse>, Status> {
        let principal = require_scope(&request, SCORE_READ)?;
        let answer = self
            .app
            .answer(&principal.tenant_id, &request.get_ref().answer_id)
            .await?;
        Ok(Response::new(answer.into()))
    }

    async fn replay_answer(
        &self,
        request: Request<ReplayAnswerRequest>,
    ) -> Result<Response<ReplayAnswerResponse>, Status> {
        let replay: Replay = self.app.replay(&request.get_ref().answer_id).await?;
        Ok(Response::new(ReplayAnswerResponse {
            identical: replay.differences.is_empty(),
            delivered: Some(replay.delivered.into()),
            replayed: Some(replay.replayed.into()),
            differences: replay.differences,
            tenant_id: replay.tenant_id,
        }))
    }

    async fn report_score_outcome(
        &self,
        request: Request<ReportScoreOutcomeRequest>,
    ) -> Result<Response<ScoreOutcome>, Status> {
        let acting = acting_for(&request, SCORE_WRITE, &request.get_ref().tenant_id)?;
        let next = outcomes::credit_outcome(request.get_ref(), Utc::now())?;
        let outcome = self
            .app
            .report_outcome(
                acting.tenant_id(),
                &request.get_ref().answer_id,
                next,
                outcomes::reporter(&acting),
            )
            .await?;
        Ok(Response::new(outcome.into()))
    }

    async fn get_performance_report(
        &self,
        request: Request<GetPerformanceReportRequest>,
    ) -> Result<Response<PerformanceReport>, Status> {
        let acting = acting_for(&request, SCORE_REVIEW, &request.get_ref().tenant_id)?;
        let (from, before) = outcomes::report_period(
            request.get_ref().created_from.as_ref(),
            request.get_ref().created_to.as_ref(),
        )?;
        let models = self
            .app
            .performance(acting.tenant_id(), from, before)
            .await?;
        Ok(Response::new(outcomes::performance(models)))
    }
}
