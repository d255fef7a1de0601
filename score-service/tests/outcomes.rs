//! Lenders' reports on the credit granted on delivered answers, and the performance report,
//! over the wire on a real database. Answers are stored as scoring stores them; the operator
//! acts for each tenant by naming it (partners' tokens are the mesh tests' business).

use aval_errors::{ErrorCode, FieldCode};
use aval_proto::{
    common::v1::Date,
    score::v1::{
        GetPerformanceReportRequest, PerformanceReport, ReportScoreOutcomeRequest, ScoreOutcome,
        score_service_client::ScoreServiceClient,
    },
};
use aval_score_service::{
    Application,
    domain::{
        answer::{AuditRecord, ScoreAnswer},
        band::RiskBand,
        model::{FeatureValue, Record},
    },
    store,
};
use aval_testkit::{TestDatabase, TestResult, TestService, db_test};
use aval_transport::{
    client::MeshChannel,
    identity::MeshIdentity,
    status::{error_code, field_violations},
    time::to_date,
};
use chrono::{Duration, SubsecRound, Utc};
use tonic::Code;

/// Stores a delivered answer of `tenant_id`, scored `days_ago`.
async fn delivered(
    db: &sea_orm::DatabaseConnection,
    tenant_id: &str,
    answer_id: &str,
    score: u32,
    days_ago: i64,
) -> anyhow::Result<()> {
    let record = AuditRecord {
        tenant_id: tenant_id.into(),
        inputs: Record::new().with("months_as_customer", FeatureValue::number(12.0)),
        answer: ScoreAnswer {
            answer_id: answer_id.into(),
            score,
            probability_of_default: 0.05,
            band: RiskBand::of(score),
            reasons: Vec::new(),
            model_id: "aval-default".into(),
            model_version: 1,
            scored_at: (Utc::now() - Duration::days(days_ago)).trunc_subsecs(6),
        },
    };
    store::answers::insert(db, &record).await?;
    Ok(())
}

fn day_ago(days: i64) -> Option<Date> {
    Some(to_date(
        aval_credit::brasilia::day(Utc::now()) - Duration::days(days),
    ))
}

struct Operator(ScoreServiceClient<MeshChannel>);

impl Operator {
    async fn report(
        &mut self,
        tenant_id: &str,
        answer_id: &str,
        status: &str,
        event_date: Option<Date>,
    ) -> Result<ScoreOutcome, tonic::Status> {
        self.0
            .report_score_outcome(ReportScoreOutcomeRequest {
                answer_id: answer_id.into(),
                credit_proposal_status: status.into(),
                event_date,
                tenant_id: tenant_id.into(),
            })
            .await
            .map(tonic::Response::into_inner)
    }

    async fn performance(&mut self, tenant_id: &str) -> anyhow::Result<PerformanceReport> {
        Ok(self
            .0
            .get_performance_report(GetPerformanceReportRequest {
                tenant_id: tenant_id.into(),
                ..GetPerformanceReportRequest::default()
            })
            .await?
            .into_inner())
    }
}

async fn outcomes_move_forward_and_make_the_report(db: TestDatabase) -> TestResult {
    let service = TestService::spawn::<Application>(&db.url).await?;
    let conn = aval_database::connect(&db.url).await?;
    delivered(&conn, "acme", "a-paid", 800, 20).await?;
    delivered(&conn, "acme", "a-defaulted", 400, 20).await?;
    delivered(&conn, "acme", "a-running", 700, 20).await?;
    delivered(&conn, "acme", "a-silent", 450, 20).await?;
    delivered(&conn, "bank", "b-1", 900, 20).await?;
    let mut operator = Operator(ScoreServiceClient::new(
        service.channel_as(MeshIdentity::OPERATOR)?,
    ));

    // Forward, skipping steps; a report is answered with the answer as delivered.
    let paid = operator
        .report("acme", "a-paid", "paid", day_ago(2))
        .await?;
    assert_eq!(paid.credit_proposal_status, "paid");
    assert_eq!(paid.answer.as_ref().map(|a| a.score), Some(800));
    operator
        .report("acme", "a-defaulted", "created", day_ago(15))
        .await?;
    let defaulted = operator
        .report("acme", "a-defaulted", "DEFAULTED", day_ago(1))
        .await?;
    let steps: Vec<(u32, Option<&str>, &str)> = defaulted
        .history
        .iter()
        .map(|e| (e.sequence, e.from.as_deref(), e.to.as_str()))
        .collect();
    assert_eq!(
        steps,
        [(1, None, "created"), (2, Some("created"), "defaulted")]
    );
    assert_eq!(defaulted.history[1].actor_type, "operator");
    // The same report again is a retry: nothing new.
    let again = operator
        .report("acme", "a-defaulted", "defaulted", day_ago(1))
        .await?;
    assert_eq!(again.history.len(), 2);
    operator
        .report("acme", "a-running", "disbursed", day_ago(10))
        .await?;

    // Backwards, or after a final status: 409 INVALID_TRANSITION, naming the status.
    let refused = operator
        .report("acme", "a-defaulted", "paid", day_ago(0))
        .await
        .err()
        .ok_or_else(|| anyhow::anyhow!("paid after defaulted was taken"))?;
    assert_eq!(refused.code(), Code::FailedPrecondition);
    assert_eq!(error_code(&refused), ErrorCode::InvalidTransition);
    assert!(refused.message().contains("`defaulted`"), "{refused:?}");
    // Dated before the answer, or not a status: field violations.
    let refused = operator
        .report("acme", "a-running", "paid", day_ago(30))
        .await
        .err()
        .ok_or_else(|| anyhow::anyhow!("dated before the answer"))?;
    let fields: Vec<(String, FieldCode)> = field_violations(&refused)
        .into_iter()
        .map(|v| (v.field, v.code))
        .collect();
    assert_eq!(fields, [("event_date".to_owned(), FieldCode::OutOfRange)]);
    let refused = operator
        .report("acme", "a-running", "settled", None)
        .await
        .err()
        .ok_or_else(|| anyhow::anyhow!("no status, no date"))?;
    assert_eq!(error_code(&refused), ErrorCode::InvalidArgument);
    assert_eq!(field_violations(&refused).len(), 2);

    // Another tenant's answer does not exist for it.
    let foreign = operator.report("bank", "a-paid", "paid", day_ago(1)).await;
    assert_eq!(foreign.err().map(|s| s.code()), Some(Code::NotFound));

    // By hand: very_low 800 paid; low 700 disbursed; high 400 defaulted, 450 silent.
    let report = operator.performance("acme").await?;
    assert_eq!(report.models.len(), 1);
    let model = &report.models[0];
    assert_eq!(
        (model.model_id.as_str(), model.model_version),
        ("aval-default", 1)
    );
    let rows: Vec<(&str, u64, u64, u64, Option<f64>)> = model
        .rows
        .iter()
        .map(|r| {
            (
                r.group.as_str(),
                r.count,
                r.with_outcome,
                r.defaults,
                r.default_rate,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("very_low", 1, 1, 0, Some(0.0)),
            ("low", 1, 0, 0, None),
            ("high", 2, 1, 1, Some(1.0)),
        ]
    );
    let total = model.total.clone().unwrap_or_default();
    assert_eq!((total.count, total.with_outcome, total.defaults), (4, 2, 1));
    assert_eq!(total.share_with_outcome, Some(0.5));
    assert_eq!(total.default_rate, Some(0.5));
    assert_eq!((model.ks, model.gini), (Some(1.0), Some(1.0)));
    let bank = operator.performance("bank").await?;
    assert_eq!(
        bank.models[0]
            .total
            .as_ref()
            .map(|t| (t.count, t.with_outcome)),
        Some((1, 0))
    );
    service.stop().await
}
db_test!(outcomes_move_forward_and_make_the_report);

/// The period is the answers' Brasília days, both inclusive.
async fn the_report_reads_only_the_period(db: TestDatabase) -> TestResult {
    let service = TestService::spawn::<Application>(&db.url).await?;
    let conn = aval_database::connect(&db.url).await?;
    delivered(&conn, "acme", "old", 800, 40).await?;
    delivered(&conn, "acme", "recent", 800, 1).await?;
    let mut client = ScoreServiceClient::new(service.channel_as(MeshIdentity::OPERATOR)?);
    let report = client
        .get_performance_report(GetPerformanceReportRequest {
            tenant_id: "acme".into(),
            created_from: day_ago(10),
            created_to: day_ago(0),
        })
        .await?
        .into_inner();
    assert_eq!(report.models[0].total.as_ref().map(|t| t.count), Some(1));
    let refused = client
        .get_performance_report(GetPerformanceReportRequest {
            tenant_id: "acme".into(),
            created_from: day_ago(0),
            created_to: day_ago(10),
        })
        .await
        .err()
        .map(|s| field_violations(&s));
    assert_eq!(
        refused.map(|v| v.into_iter().map(|v| v.field).collect::<Vec<_>>()),
        Some(vec!["created_to".to_owned()])
    );
    // The operator names the tenant.
    let unnamed = client
        .get_performance_report(GetPerformanceReportRequest::default())
        .await;
    assert_eq!(unnamed.err().map(|s| s.code()), Some(Code::InvalidArgument));
    service.stop().await
}
db_test!(the_report_reads_only_the_period);
