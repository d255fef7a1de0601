//! gRPC surface of billing-service: who may call what, and the handlers.

use crate::{
    domain::{
        quota,
        usage::{Product, UsageEvent},
    },
    error::BillingError,
    store,
};
use aval_mesh::{
    authz::{AccessPolicy, Caller},
    bearer::require_scope,
    error::FieldViolation,
    identity::MeshIdentity,
    time::{from_timestamp, to_timestamp},
};
use aval_proto::billing::v1::{
    CheckQuotaRequest, CheckQuotaResponse, GetUsageReportRequest, GetUsageReportResponse,
    Product as PbProduct, RecordUsageRequest, RecordUsageResponse, SubscribeRequest, Subscription,
    UsageReportRow,
    billing_service_server::{BillingService, BillingServiceServer},
};
use chrono::{NaiveDate, Utc};
use sea_orm::DatabaseConnection;
use tonic::{Request, Response, Status};

const SERVICE: &str = "aval.billing.v1.BillingService";
/// The gRPC services whose health this service reports.
pub const SERVICE_NAMES: &[&str] = &[SERVICE];
/// Largest batch of usage events accepted in one call.
pub const MAX_BATCH: usize = 1_000;
/// How long callers may cache a quota answer: short, so a plan change shows up quickly, long
/// enough that the check costs no network hop on most requests.
const QUOTA_CACHE_TTL_MS: i32 = 2_000;
/// The longest report period, in days.
const MAX_REPORT_DAYS: i64 = 366;

/// The delivering services report usage and check quota; partners (through the gateway) and
/// operators read consumption reports; operators subscribe tenants to plans.
pub fn access_policy() -> AccessPolicy {
    use MeshIdentity as Id;
    AccessPolicy::new()
        .allow(
            &format!("/{SERVICE}/RecordUsage"),
            &[Id::SCORE, Id::ANALYSIS],
        )
        .allow(
            &format!("/{SERVICE}/CheckQuota"),
            &[Id::SCORE, Id::ANALYSIS],
        )
        .allow(
            &format!("/{SERVICE}/GetUsageReport"),
            &[Id::GATEWAY, Id::INTERNAL, Id::OPERATOR],
        )
        .allow(&format!("/{SERVICE}/Subscribe"), &[Id::OPERATOR])
}

pub struct BillingApi {
    db: DatabaseConnection,
}

impl BillingApi {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    pub fn into_server(self) -> BillingServiceServer<Self> {
        BillingServiceServer::new(self)
    }
}

fn product_from_pb(value: i32) -> Option<Product> {
    match PbProduct::try_from(value).ok()? {
        PbProduct::ConsumerScore => Some(Product::ConsumerScore),
        PbProduct::LegalPersonAnalysis => Some(Product::LegalPersonAnalysis),
        PbProduct::Unspecified => None,
    }
}

fn product_to_pb(product: Product) -> PbProduct {
    match product {
        Product::ConsumerScore => PbProduct::ConsumerScore,
        Product::LegalPersonAnalysis => PbProduct::LegalPersonAnalysis,
    }
}

/// Validates a batch; every problem is reported with its index.
fn usage_events(request: RecordUsageRequest) -> Result<Vec<UsageEvent>, BillingError> {
    let mut violations = Vec::new();
    if request.events.len() > MAX_BATCH {
        violations.push(FieldViolation::new(
            "events",
            "TOO_MANY",
            format!("at most {MAX_BATCH} events per call"),
        ));
    }
    let mut events = Vec::with_capacity(request.events.len());
    for (i, event) in request.events.into_iter().enumerate() {
        let field = |name: &str| format!("events[{i}].{name}");
        if event.event_id.is_empty() || event.event_id.len() > 128 {
            violations.push(FieldViolation::new(
                field("event_id"),
                "REQUIRED",
                "1 to 128 characters",
            ));
        }
        if event.tenant_id.is_empty() {
            violations.push(FieldViolation::new(
                field("tenant_id"),
                "REQUIRED",
                "required",
            ));
        }
        let product = product_from_pb(event.product);
        if product.is_none() {
            violations.push(FieldViolation::new(
                field("product"),
                "INVALID_ENUM",
                "a known product",
            ));
        }
        let occurred_at = event.occurred_at.as_ref().and_then(from_timestamp);
        if occurred_at.is_none() {
            violations.push(FieldViolation::new(
                field("occurred_at"),
                "REQUIRED",
                "a valid timestamp",
            ));
        }
        if let (Some(product), Some(occurred_at)) = (product, occurred_at) {
            events.push(UsageEvent {
                event_id: event.event_id,
                tenant_id: event.tenant_id,
                product,
                occurred_at,
                sandbox: event.sandbox,
            });
        }
    }
    if violations.is_empty() {
        Ok(events)
    } else {
        Err(BillingError::InvalidRequest(violations))
    }
}

/// Strictly `YYYY-MM-DD` (chrono alone accepts `2026-1-1`, which does not compare as text with
/// the stored days).
fn parse_day(field: &str, text: &str, violations: &mut Vec<FieldViolation>) -> Option<NaiveDate> {
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|d| d.format("%Y-%m-%d").to_string() == text);
    if day.is_none() {
        violations.push(FieldViolation::new(
            field,
            "INVALID_DATE",
            "a date as YYYY-MM-DD",
        ));
    }
    day
}

#[tonic::async_trait]
impl BillingService for BillingApi {
    async fn record_usage(
        &self,
        request: Request<RecordUsageRequest>,
    ) -> Result<Response<RecordUsageResponse>, Status> {
        let events = usage_events(request.into_inner())?;
        let recorded = store::usage_events::record(&self.db, &events)
            .await
            .map_err(BillingError::from)?;
        let recorded = i32::try_from(recorded).unwrap_or(i32::MAX);
        let total = i32::try_from(events.len()).unwrap_or(i32::MAX);
        Ok(Response::new(RecordUsageResponse {
            recorded,
            duplicates: total - recorded,
        }))
    }

    async fn check_quota(
        &self,
        request: Request<CheckQuotaRequest>,
    ) -> Result<Response<CheckQuotaResponse>, Status> {
        let request = request.into_inner();
        let now = Utc::now();
        let refused = |reason: quota::Refusal, plan: String| CheckQuotaResponse {
            allowed: false,
            plan,
            cache_ttl_ms: QUOTA_CACHE_TTL_MS,
            reason: reason.as_str().to_owned(),
            ..CheckQuotaResponse::default()
        };
        let Some(subscription) = store::subscriptions::find(&self.db, &request.tenant_id)
            .await
            .map_err(BillingError::from)?
        else {
            return Ok(Response::new(refused(
                quota::Refusal::NoSubscription,
                String::new(),
            )));
        };
        let Some(plan) = store::plans::find(&self.db, &subscription.plan_id)
            .await
            .map_err(BillingError::from)?
        else {
            return Ok(Response::new(refused(
                quota::Refusal::NoSubscription,
                subscription.plan_id,
            )));
        };
        let used = store::usage_events::count_billable(
            &self.db,
            &request.tenant_id,
            subscription.starts_at,
            subscription.ends_at,
        )
        .await
        .map_err(BillingError::from)?;
        let used = i64::try_from(used).unwrap_or(i64::MAX);
        let verdict = quota::check(
            plan.answer_limit,
            subscription.starts_at,
            subscription.ends_at,
            used,
            now,
        );
        Ok(Response::new(CheckQuotaResponse {
            allowed: verdict.is_ok(),
            plan: plan.id,
            used,
            limit: plan.answer_limit,
            period_ends_at: Some(to_timestamp(subscription.ends_at)),
            cache_ttl_ms: QUOTA_CACHE_TTL_MS,
            reason: verdict
                .err()
                .map(|r| r.as_str().to_owned())
                .unwrap_or_default(),
        }))
    }

    async fn get_usage_report(
        &self,
        request: Request<GetUsageReportRequest>,
    ) -> Result<Response<GetUsageReportResponse>, Status> {
        // A partner reads its own tenant's report, whatever tenant_id says; an operator names
        // the tenant.
        let operator = request
            .extensions()
            .get::<Caller>()
            .is_some_and(|c| c.0.name() == MeshIdentity::OPERATOR);
        let token_tenant = if operator {
            None
        } else {
            Some(require_scope(&request, "usage:read")?.tenant_id)
        };
        let request = request.into_inner();
        let tenant_id = token_tenant.unwrap_or(request.tenant_id);
        let mut violations = Vec::new();
        let from = parse_day("from", &request.from, &mut violations);
        let to = parse_day("to", &request.to, &mut violations);
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                violations.push(FieldViolation::new(
                    "to",
                    "OUT_OF_RANGE",
                    "`to` is before `from`",
                ));
            } else if (to - from).num_days() >= MAX_REPORT_DAYS {
                violations.push(FieldViolation::new(
                    "to",
                    "OUT_OF_RANGE",
                    format!("a report covers at most {MAX_REPORT_DAYS} days"),
                ));
            }
        }
        if tenant_id.is_empty() {
            violations.push(FieldViolation::new("tenant_id", "REQUIRED", "required"));
        }
        if !violations.is_empty() {
            return Err(BillingError::InvalidRequest(violations).into());
        }
        let rows = store::usage_events::report(&self.db, &tenant_id, &request.from, &request.to)
            .await
            .map_err(BillingError::from)?;
        Ok(Response::new(GetUsageReportResponse {
            rows: rows
                .into_iter()
                .map(|r| UsageReportRow {
                    day: r.day,
                    product: product_to_pb(r.product).into(),
                    answers: r.answers,
                })
                .collect(),
        }))
    }

    async fn subscribe(
        &self,
        request: Request<SubscribeRequest>,
    ) -> Result<Response<Subscription>, Status> {
        let request = request.into_inner();
        if request.tenant_id.is_empty() {
            return Err(BillingError::InvalidRequest(vec![FieldViolation::new(
                "tenant_id",
                "REQUIRED",
                "required",
            )])
            .into());
        }
        let plan = store::plans::find(&self.db, &request.plan_id)
            .await
            .map_err(BillingError::from)?
            .ok_or(BillingError::NotFound("plan"))?;
        let starts_at = request
            .starts_at
            .as_ref()
            .and_then(from_timestamp)
            .unwrap_or_else(Utc::now);
        let ends_at = plan.plan().ends_at(starts_at);
        store::subscriptions::upsert(
            &self.db,
            store::subscriptions::Model {
                tenant_id: request.tenant_id.clone(),
                plan_id: plan.id.clone(),
                starts_at,
                ends_at,
            },
        )
        .await
        .map_err(BillingError::from)?;
        Ok(Response::new(Subscription {
            tenant_id: request.tenant_id,
            plan_id: plan.id,
            starts_at: Some(to_timestamp(starts_at)),
            ends_at: Some(to_timestamp(ends_at)),
            answer_limit: plan.answer_limit,
        }))
    }
}
