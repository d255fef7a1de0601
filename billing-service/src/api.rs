//! gRPC surface of billing-service: who may call what, and proto ⇄ domain conversions around
//! the use cases in `app`.

use crate::{
    app::BillingApp,
    domain::{
        quota::Refusal,
        usage::{MAX_REPORT_DAYS, PeriodError, Product, ReportPeriod, ReportReader, UsageEvent},
    },
    error::BillingError,
};
use aval_errors::{FieldCode, FieldViolation};
use aval_proto::billing::v1::{
    GetUsageReportRequest, GetUsageReportResponse, SubscribeRequest, Subscription, UsageReportRow,
    billing_service_server::{BillingService, BillingServiceServer},
};
use aval_proto::usage::v1::{
    CheckQuotaRequest, CheckQuotaResponse, Product as PbProduct, QuotaRefusal, RecordUsageRequest,
    RecordUsageResponse,
    usage_server::{Usage, UsageServer},
};
use aval_transport::{
    authz::{AccessPolicy, Caller},
    bearer::require_scope,
    identity::MeshIdentity,
    time::{from_date, from_timestamp, to_date, to_timestamp},
};
use chrono::Utc;
use std::sync::Arc;
use tonic::{Request, Response, Status};

const SERVICE: &str = "aval.billing.v1.BillingService";
const USAGE: &str = "aval.usage.v1.Usage";
/// The gRPC services whose health this service reports.
pub const SERVICE_NAMES: &[&str] = &[SERVICE, USAGE];
/// Largest batch of usage events accepted in one call.
pub const MAX_BATCH: usize = 1_000;
/// Longest usage event id.
const MAX_EVENT_ID_CHARS: usize = 128;
/// The scope a partner's token needs to read its consumption report.
pub const USAGE_READ: &str = "usage:read";

/// The delivering services report usage and check quota; partners (through the gateway or
/// their internal clients) and operators read consumption reports; operators subscribe
/// tenants to plans.
pub fn access_policy() -> AccessPolicy {
    use MeshIdentity as Id;
    AccessPolicy::new()
        .allow(&format!("/{USAGE}/RecordUsage"), &[Id::SCORE, Id::ANALYSIS])
        .allow(&format!("/{USAGE}/CheckQuota"), &[Id::SCORE, Id::ANALYSIS])
        .allow(
            &format!("/{SERVICE}/GetUsageReport"),
            &[Id::GATEWAY, Id::INTERNAL, Id::OPERATOR],
        )
        .allow(&format!("/{SERVICE}/Subscribe"), &[Id::OPERATOR])
}

#[derive(Clone)]
pub struct BillingApi {
    app: Arc<BillingApp>,
}

impl BillingApi {
    pub fn new(app: BillingApp) -> Self {
        Self { app: Arc::new(app) }
    }

    pub fn into_server(self) -> BillingServiceServer<Self> {
        BillingServiceServer::new(self)
    }

    pub fn into_usage_server(self) -> UsageServer<Self> {
        UsageServer::new(self)
    }
}

fn product_from_pb(value: i32) -> Option<Product> {
    match PbProduct::try_from(value).ok()? {
        PbProduct::ConsumerScore => Some(Product::ConsumerScore),
        PbProduct::LegalPersonAnalysis => Some(Product::LegalPersonAnalysis),
        PbProduct::NaturalPersonAnalysis => Some(Product::NaturalPersonAnalysis),
        PbProduct::Unspecified => None,
    }
}

fn product_to_pb(product: Product) -> PbProduct {
    match product {
        Product::ConsumerScore => PbProduct::ConsumerScore,
        Product::LegalPersonAnalysis => PbProduct::LegalPersonAnalysis,
        Product::NaturalPersonAnalysis => PbProduct::NaturalPersonAnalysis,
    }
}

fn refusal_to_pb(refusal: Refusal) -> QuotaRefusal {
    match refusal {
        Refusal::NoSubscription => QuotaRefusal::NoSubscription,
        Refusal::NotStarted => QuotaRefusal::NotStarted,
        Refusal::Expired => QuotaRefusal::Expired,
        Refusal::Exhausted => QuotaRefusal::Exhausted,
    }
}

/// Validates a batch; every problem is reported with its index.
fn usage_events(request: RecordUsageRequest) -> Result<Vec<UsageEvent>, BillingError> {
    let mut violations = Vec::new();
    if request.events.len() > MAX_BATCH {
        violations.push(FieldViolation::new(
            "events",
            FieldCode::TooMany,
            format!("at most {MAX_BATCH} events per call"),
        ));
    }
    let mut events = Vec::with_capacity(request.events.len());
    for (i, event) in request.events.into_iter().enumerate() {
        let field = |name: &str| format!("events[{i}].{name}");
        let id_chars = event.event_id.chars().count();
        if id_chars == 0 || id_chars > MAX_EVENT_ID_CHARS {
            violations.push(FieldViolation::new(
                field("event_id"),
                FieldCode::Required,
                format!("1 to {MAX_EVENT_ID_CHARS} characters"),
            ));
        }
        if event.tenant_id.is_empty() {
            violations.push(FieldViolation::new(
                field("tenant_id"),
                FieldCode::Required,
                "required",
            ));
        }
        let product = product_from_pb(event.product);
        if product.is_none() {
            violations.push(FieldViolation::new(
                field("product"),
                FieldCode::InvalidEnum,
                "a known product",
            ));
        }
        let occurred_at = event.occurred_at.as_ref().and_then(from_timestamp);
        if occurred_at.is_none() {
            violations.push(FieldViolation::new(
                field("occurred_at"),
                FieldCode::Required,
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

/// A day of the report period, when given; a day that does not exist is a violation.
fn report_day(
    field: &str,
    date: Option<&aval_proto::common::v1::Date>,
    violations: &mut Vec<FieldViolation>,
) -> Option<chrono::NaiveDate> {
    let date = date?;
    let day = from_date(date);
    if day.is_none() {
        violations.push(FieldViolation::new(
            field,
            FieldCode::InvalidDate,
            "a day that exists",
        ));
    }
    day
}

#[tonic::async_trait]
impl Usage for BillingApi {
    async fn record_usage(
        &self,
        request: Request<RecordUsageRequest>,
    ) -> Result<Response<RecordUsageResponse>, Status> {
        let events = usage_events(request.into_inner())?;
        let recorded = self.app.record_usage(&events).await?;
        Ok(Response::new(RecordUsageResponse {
            recorded: i32::try_from(recorded.recorded).unwrap_or(i32::MAX),
            duplicates: i32::try_from(recorded.duplicates).unwrap_or(i32::MAX),
        }))
    }

    async fn check_quota(
        &self,
        request: Request<CheckQuotaRequest>,
    ) -> Result<Response<CheckQuotaResponse>, Status> {
        let request = request.into_inner();
        let product = product_from_pb(request.product).ok_or_else(|| {
            BillingError::InvalidRequest(vec![FieldViolation::new(
                "product",
                FieldCode::InvalidEnum,
                "a known product",
            )])
        })?;
        let answer = self
            .app
            .check_quota(&request.tenant_id, product, Utc::now())
            .await?;
        Ok(Response::new(CheckQuotaResponse {
            allowed: answer.verdict.is_ok(),
            limit: answer.plan.as_ref().map(|p| p.answer_limit),
            plan: answer.plan.map(|p| p.id),
            used: answer.used,
            period_ends_at: answer.period_ends_at.map(to_timestamp),
            cache_ttl_ms: Some(u32::try_from(answer.cache_ttl.as_millis()).unwrap_or(u32::MAX)),
            refusal: answer
                .verdict
                .err()
                .map_or(QuotaRefusal::Unspecified, refusal_to_pb)
                .into(),
        }))
    }
}

#[tonic::async_trait]
impl BillingService for BillingApi {
    async fn get_usage_report(
        &self,
        request: Request<GetUsageReportRequest>,
    ) -> Result<Response<GetUsageReportResponse>, Status> {
        let reader = if request
            .extensions()
            .get::<Caller>()
            .is_some_and(|c| c.0.name() == MeshIdentity::OPERATOR)
        {
            ReportReader::Operator
        } else {
            ReportReader::Partner {
                tenant_id: require_scope(&request, USAGE_READ)?.tenant_id,
            }
        };
        let request = request.into_inner();
        let mut violations = Vec::new();
        let from = report_day("from", request.from.as_ref(), &mut violations);
        let to = report_day("to", request.to.as_ref(), &mut violations);
        let tenant_id = reader.tenant(&request.tenant_id).unwrap_or_default();
        if tenant_id.is_empty() {
            violations.push(FieldViolation::new(
                "tenant_id",
                FieldCode::Required,
                "an operator names the tenant",
            ));
        }
        if !violations.is_empty() {
            return Err(BillingError::InvalidRequest(violations).into());
        }
        let period = ReportPeriod::new(from, to, Utc::now()).map_err(|e| {
            let message = match e {
                PeriodError::Reversed => "`to` is before `from`".to_owned(),
                PeriodError::TooLong => format!("a report covers at most {MAX_REPORT_DAYS} days"),
            };
            BillingError::InvalidRequest(vec![FieldViolation::new(
                "to",
                FieldCode::OutOfRange,
                message,
            )])
        })?;
        let rows = self.app.usage_report(&tenant_id, period).await?;
        Ok(Response::new(GetUsageReportResponse {
            from: Some(to_date(period.from)),
            to: Some(to_date(period.to)),
            rows: rows
                .into_iter()
                .map(|r| UsageReportRow {
                    day: Some(to_date(r.day)),
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
                FieldCode::Required,
                "required",
            )])
            .into());
        }
        let starts_at = request
            .starts_at
            .as_ref()
            .and_then(from_timestamp)
            .unwrap_or_else(Utc::now);
        let (subscription, plan) = self
            .app
            .subscribe(&request.tenant_id, &request.plan_id, starts_at)
            .await?;
        Ok(Response::new(Subscription {
            tenant_id: subscription.tenant_id,
            plan_id: subscription.plan_id,
            starts_at: Some(to_timestamp(subscription.starts_at)),
            ends_at: Some(to_timestamp(subscription.ends_at)),
            answer_limit: plan.answer_limit,
        }))
    }
}
