//! gRPC surface of score-service: who may call what, and the handlers.

use crate::{
    domain::{band::RiskBand, profile::ConsumerProfile, scorecard::Scorecard},
    error::ScoreError,
    store::{self, OUTBOX},
};
use aval_credit::Cpf;
use aval_errors::{FieldCode, FieldViolation};
use aval_metering::{Product, QuotaGate, QuotaVerdict, UsageRecord};
use aval_proto::{
    common::v1::Reason,
    score::v1::{
        GetScoreRequest, GetScoreResponse, RiskBand as PbRiskBand, UpsertProfilesRequest,
        UpsertProfilesResponse,
        score_service_server::{ScoreService, ScoreServiceServer},
    },
};
use aval_transport::{
    authz::{AccessPolicy, Caller},
    bearer::{Principal, require_principal, require_scope},
    identity::MeshIdentity,
    time::to_timestamp,
};
use sea_orm::{DatabaseConnection, TransactionTrait};
use std::sync::Arc;
use tonic::{Request, Response, Status};

const SERVICE: &str = "aval.score.v1.ScoreService";
/// The gRPC services whose health this service reports.
pub const SERVICE_NAMES: &[&str] = &[SERVICE];
/// The scope a partner's token needs to read scores.
pub const SCORE_READ: &str = "score:read";
/// Model ids that mean the platform's default scorecard (Claro's `score` header may be empty).
const DEFAULT_MODEL_ALIASES: [&str; 2] = ["", "default"];
/// Largest batch of profiles per upsert.
const MAX_PROFILES: usize = 1_000;

/// Partners (through the gateway), analysis-service and operators read scores; only operators
/// load consumer profiles.
pub fn access_policy() -> AccessPolicy {
    use MeshIdentity as Id;
    AccessPolicy::new()
        .allow(
            &format!("/{SERVICE}/GetScore"),
            &[Id::GATEWAY, Id::ANALYSIS, Id::INTERNAL, Id::OPERATOR],
        )
        .allow(&format!("/{SERVICE}/UpsertProfiles"), &[Id::OPERATOR])
}

pub struct ScoreApi {
    db: DatabaseConnection,
    model: Arc<Scorecard>,
    quota: Arc<QuotaGate>,
}

impl ScoreApi {
    pub fn new(db: DatabaseConnection, model: Scorecard, quota: QuotaGate) -> Self {
        Self {
            db,
            model: Arc::new(model),
            quota: Arc::new(quota),
        }
    }

    pub fn into_server(self) -> ScoreServiceServer<Self> {
        ScoreServiceServer::new(self)
    }

    async fn score(
        &self,
        principal: &Principal,
        for_analysis: bool,
        request: GetScoreRequest,
    ) -> Result<GetScoreResponse, ScoreError> {
        let cpf = Cpf::parse(&request.document).map_err(|e| {
            ScoreError::InvalidDocument(vec![FieldViolation::new(
                "document",
                e.code(),
                e.to_string(),
            )])
        })?;
        if !DEFAULT_MODEL_ALIASES.contains(&request.model.as_str())
            && request.model != self.model.id
        {
            return Err(ScoreError::ModelNotFound(request.model));
        }
        if request.customer_id.len() > 128 {
            return Err(ScoreError::InvalidRequest(vec![FieldViolation::new(
                "customer_id",
                FieldCode::TooLong,
                "at most 128 characters",
            )]));
        }
        // Scores fetched for an analysis are part of that answer, not billed on their own.
        if !for_analysis
            && let QuotaVerdict::Refused { reason } = self
                .quota
                .check(&principal.tenant_id, Product::ConsumerScore)
                .await
        {
            return Err(ScoreError::QuotaExceeded(reason));
        }
        let profile = store::profiles::find(&self.db, &principal.tenant_id, &cpf)
            .await?
            .ok_or(ScoreError::CpfNotFound)?;
        let result = self.model.score(&profile);
        let now = chrono::Utc::now();
        let answer_id = uuid::Uuid::now_v7().to_string();

        // The access log and the usage event commit with the answer, or neither does.
        let txn = self.db.begin().await?;
        store::access_log::insert(
            &txn,
            store::access_log::Model {
                answer_id: answer_id.clone(),
                tenant_id: principal.tenant_id.clone(),
                client_id: principal.client_id.clone(),
                document: cpf.digits().to_owned(),
                customer_id: request.customer_id.clone(),
                purpose: if for_analysis {
                    "legal_person_analysis"
                } else {
                    "consumer_score"
                }
                .to_owned(),
                model_id: self.model.id.clone(),
                model_version: self.model.version,
                score: i32::try_from(result.score).unwrap_or(0),
                request_id: request.request_id.clone(),
                created_at: now,
            },
        )
        .await?;
        if !for_analysis {
            OUTBOX
                .enqueue(
                    &txn,
                    &UsageRecord {
                        event_id: format!("score:{answer_id}"),
                        tenant_id: principal.tenant_id.clone(),
                        product: Product::ConsumerScore,
                        occurred_at: now,
                        sandbox: false,
                    },
                )
                .await?;
        }
        txn.commit().await?;
        tracing::info!(cpf = %cpf, score = result.score, tenant = %principal.tenant_id, "score delivered");

        Ok(GetScoreResponse {
            score: i32::try_from(result.score).unwrap_or(0),
            probability_of_default: result.probability_of_default,
            band: band_to_pb(result.band).into(),
            reasons: result
                .reasons
                .into_iter()
                .map(|r| Reason {
                    code: r.code,
                    description: r.description,
                    impact: r.impact,
                })
                .collect(),
            model_id: self.model.id.clone(),
            model_version: self.model.version,
            scored_at: Some(to_timestamp(now)),
            answer_id,
        })
    }
}

fn band_to_pb(band: RiskBand) -> PbRiskBand {
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
        let for_analysis = request
            .extensions()
            .get::<Caller>()
            .is_some_and(|c| c.0.name() == MeshIdentity::ANALYSIS);
        // analysis-service forwards its caller's token; the partner asked for an analysis,
        // which includes its partners' scores, so the score scope is not required then.
        let principal = if for_analysis {
            require_principal(&request)?
        } else {
            require_scope(&request, SCORE_READ)?
        };
        let answer = self
            .score(&principal, for_analysis, request.into_inner())
            .await?;
        Ok(Response::new(answer))
    }

    async fn upsert_profiles(
        &self,
        request: Request<UpsertProfilesRequest>,
    ) -> Result<Response<UpsertProfilesResponse>, Status> {
        let request = request.into_inner();
        let mut violations = Vec::new();
        if request.profiles.len() > MAX_PROFILES {
            violations.push(FieldViolation::new(
                "profiles",
                FieldCode::TooMany,
                format!("at most {MAX_PROFILES}"),
            ));
        }
        let tenant_id = if request.shared {
            store::profiles::SHARED.to_owned()
        } else {
            if request.tenant_id.is_empty() {
                violations.push(FieldViolation::new(
                    "tenant_id",
                    FieldCode::Required,
                    "a tenant, or shared = true",
                ));
            }
            request.tenant_id
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
        let txn = self.db.begin().await.map_err(ScoreError::from)?;
        store::profiles::upsert(&txn, &tenant_id, &profiles)
            .await
            .map_err(ScoreError::from)?;
        txn.commit().await.map_err(ScoreError::from)?;
        Ok(Response::new(UpsertProfilesResponse {
            upserted: i32::try_from(profiles.len()).unwrap_or(i32::MAX),
        }))
    }
}
