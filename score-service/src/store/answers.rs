//! The audit record of every delivered score, with the lender's latest report on its credit.

use crate::domain::{
    answer::{AuditRecord, ScoreAnswer, hash_inputs},
    band::RiskBand,
    model::Record,
    outcome::{CreditOutcome, CreditProposalStatus, ScoredOutcome},
};
use sea_orm::{ActiveValue::Set, QueryOrder, entity::prelude::*};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "score_answers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub answer_id: String,
    pub tenant_id: String,
    pub model_id: String,
    pub model_version: i32,
    #[sea_orm(column_type = "Text")]
    pub inputs: String,
    pub inputs_hash: String,
    #[sea_orm(column_type = "Text")]
    pub answer: String,
    pub created_at: DateTimeUtc,
    pub score: Option<i32>,
    pub band: Option<String>,
    pub credit_proposal_status: Option<String>,
    pub credit_event_date: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

fn corrupt(what: &str, e: impl std::fmt::Display) -> DbErr {
    DbErr::Custom(format!("stored answer {what}: {e}"))
}

pub async fn insert(db: &impl ConnectionTrait, record: &AuditRecord) -> Result<(), DbErr> {
    let answer = serde_json::to_string(&record.answer).map_err(|e| corrupt("answer", e))?;
    let inputs = record.inputs_json();
    let model = ActiveModel {
        answer_id: Set(record.answer.answer_id.clone()),
        tenant_id: Set(record.tenant_id.clone()),
        model_id: Set(record.answer.model_id.clone()),
        model_version: Set(record.answer.model_version),
        inputs_hash: Set(hash_inputs(&inputs)),
        inputs: Set(inputs),
        answer: Set(answer),
        created_at: Set(record.answer.scored_at),
        score: Set(Some(i32::try_from(record.answer.score).unwrap_or(i32::MAX))),
        band: Set(Some(record.answer.band.as_str().to_owned())),
        credit_proposal_status: Set(None),
        credit_event_date: Set(None),
    };
    Entity::insert(model).exec_without_returning(db).await?;
    Ok(())
}

/// The audit record of `answer_id`, if it is `tenant_id`'s (any tenant's when `None`).
pub async fn find(
    db: &impl ConnectionTrait,
    answer_id: &str,
    tenant_id: Option<&str>,
) -> Result<Option<AuditRecord>, DbErr> {
    match row(db, answer_id, tenant_id).await? {
        Some(row) => audit_record(row).map(Some),
        None => Ok(None),
    }
}

/// The answer `answer_id` as delivered, if it is `tenant_id`'s, with the latest report on its
/// credit.
pub async fn find_with_outcome(
    db: &impl ConnectionTrait,
    answer_id: &str,
    tenant_id: &str,
) -> Result<Option<(ScoreAnswer, Option<CreditOutcome>)>, DbErr> {
    let Some(row) = row(db, answer_id, Some(tenant_id)).await? else {
        return Ok(None);
    };
    let outcome = credit_outcome(&row)?;
    Ok(Some((audit_record(row)?.answer, outcome)))
}

/// Records the latest report on the credit of `tenant_id`'s answer `answer_id`.
pub async fn set_outcome(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    answer_id: &str,
    outcome: CreditOutcome,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(
            Column::CreditProposalStatus,
            Expr::value(outcome.status.as_str()),
        )
        .col_expr(Column::CreditEventDate, Expr::value(outcome.event_date))
        .filter(Column::TenantId.eq(tenant_id))
        .filter(Column::AnswerId.eq(answer_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The tenant's answers delivered in `[from, before)`, oldest first, each with its model
/// version, score, band and the latest report on its credit.
pub async fn scored_outcomes(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    from: Option<DateTimeUtc>,
    before: Option<DateTimeUtc>,
) -> Result<Vec<ScoredOutcome>, DbErr> {
    let query = Entity::find().filter(Column::TenantId.eq(tenant_id));
    aval_database::within(query, Column::CreatedAt, (from, before))
        .order_by_asc(Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|row| {
            let status = credit_outcome(&row)?.map(|o| o.status);
            let (score, band) = match (row.score, row.band.as_deref().and_then(RiskBand::parse)) {
                (Some(score), Some(band)) => {
                    (u32::try_from(score).map_err(|e| corrupt("score", e))?, band)
                }
                // Written by an older replica during an upgrade: the answer has them.
                _ => {
                    let answer: ScoreAnswer =
                        serde_json::from_str(&row.answer).map_err(|e| corrupt("answer", e))?;
                    (answer.score, answer.band)
                }
            };
            Ok(ScoredOutcome {
                model_id: row.model_id,
                model_version: row.model_version,
                score,
                band,
                status,
            })
        })
        .collect()
}

async fn row(
    db: &impl ConnectionTrait,
    answer_id: &str,
    tenant_id: Option<&str>,
) -> Result<Option<Model>, DbErr> {
    let mut query = Entity::find_by_id(answer_id.to_owned());
    if let Some(tenant_id) = tenant_id {
        query = query.filter(Column::TenantId.eq(tenant_id));
    }
    query.one(db).await
}

fn credit_outcome(row: &Model) -> Result<Option<CreditOutcome>, DbErr> {
    match (&row.credit_proposal_status, row.credit_event_date) {
        (Some(status), Some(event_date)) => Ok(Some(CreditOutcome {
            status: CreditProposalStatus::parse(status)
                .map_err(|e| corrupt("credit_proposal_status", e))?,
            event_date,
        })),
        _ => Ok(None),
    }
}

fn audit_record(row: Model) -> Result<AuditRecord, DbErr> {
    if hash_inputs(&row.inputs) != row.inputs_hash {
        return Err(corrupt("inputs", "they do not match their hash"));
    }
    let answer: ScoreAnswer =
        serde_json::from_str(&row.answer).map_err(|e| corrupt("answer", e))?;
    let inputs: serde_json::Value =
        serde_json::from_str(&row.inputs).map_err(|e| corrupt("inputs", e))?;
    let inputs = inputs
        .as_object()
        .ok_or_else(|| corrupt("inputs", "not an object"))
        .and_then(|o| Record::from_json(o).map_err(|key| corrupt("inputs", key)))?;
    Ok(AuditRecord {
        tenant_id: row.tenant_id,
        inputs,
        answer,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::{
        domain::{answer::AuditRecord, model::FeatureValue},
        store::{Migrator, outcomes},
    };
    use aval_testkit::{TestDatabase, TestResult, db_test};
    use chrono::{SubsecRound, Utc};
    use sea_orm::{Statement, TransactionTrait};
    use sea_orm_migration::MigratorTrait;

    fn delivered(answer_id: &str, score: u32) -> AuditRecord {
        AuditRecord {
            tenant_id: "acme".into(),
            inputs: Record::new().with("months_as_customer", FeatureValue::number(30.0)),
            answer: ScoreAnswer {
                answer_id: answer_id.into(),
                score,
                probability_of_default: 0.05,
                band: RiskBand::of(score),
                reasons: Vec::new(),
                model_id: "aval-default".into(),
                model_version: 1,
                scored_at: Utc::now().trunc_subsecs(6),
            },
        }
    }

    /// Answers delivered before outcomes existed get their score and band from the answer,
    /// and join the report like any other.
    async fn earlier_answers_keep_their_score_and_band(db: TestDatabase) -> TestResult {
        let conn = aval_database::connect(&db.url).await?;
        // Everything up to the review requests: the schema before outcomes.
        Migrator::up(&conn, Some(7)).await?;
        let old = delivered("old-1", 412);
        let inputs = old.inputs_json();
        let answer = serde_json::to_string(&old.answer)?;
        let backend = conn.get_database_backend();
        conn.execute_raw(Statement::from_sql_and_values(
            backend,
            match backend {
                sea_orm::DbBackend::Postgres => {
                    "INSERT INTO score_answers (answer_id, tenant_id, model_id, model_version, \
                     inputs, inputs_hash, answer, created_at) VALUES ($1, $2, $3, $4, $5, $6, \
                     $7, $8)"
                }
                _ => {
                    "INSERT INTO score_answers (answer_id, tenant_id, model_id, model_version, \
                     inputs, inputs_hash, answer, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                }
            },
            [
                "old-1".into(),
                "acme".into(),
                "aval-default".into(),
                1i32.into(),
                hash_inputs(&inputs).into(),
                inputs.into(),
                answer.into(),
                old.answer.scored_at.into(),
            ],
        ))
        .await?;
        Migrator::up(&conn, None).await?;
        insert(&conn, &delivered("new-1", 801)).await?;

        let scored = scored_outcomes(&conn, "acme", None, None).await?;
        let seen: Vec<(u32, RiskBand)> = scored.iter().map(|s| (s.score, s.band)).collect();
        assert_eq!(
            seen,
            [(412, RiskBand::High), (801, RiskBand::VeryLow)],
            "{scored:?}"
        );
        assert!(
            scored_outcomes(&conn, "other", None, None)
                .await?
                .is_empty()
        );
        Ok(())
    }
    db_test!(earlier_answers_keep_their_score_and_band);

    /// A report and its outcome are saved together; a report number is taken once.
    async fn a_report_is_numbered_once_and_sets_the_outcome(db: TestDatabase) -> TestResult {
        use crate::domain::outcome::{OutcomeEvent, Reporter, ReporterKind};
        let conn = aval_database::connect(&db.url).await?;
        Migrator::up(&conn, None).await?;
        let record = delivered("a-1", 650);
        insert(&conn, &record).await?;
        let outcome = CreditOutcome {
            status: CreditProposalStatus::Disbursed,
            event_date: aval_credit::brasilia::day(record.answer.scored_at),
        };
        let event = OutcomeEvent {
            from: None,
            outcome,
            reporter: Reporter {
                kind: ReporterKind::Partner,
                id: "acme-client".into(),
            },
            occurred_at: record.answer.scored_at,
        };
        let txn = conn.begin().await?;
        assert!(outcomes::append(&txn, "acme", "a-1", 1, &event).await?);
        set_outcome(&txn, "acme", "a-1", outcome).await?;
        txn.commit().await?;
        assert!(!outcomes::append(&conn, "acme", "a-1", 1, &event).await?);
        assert_eq!(outcomes::next_sequence(&conn, "acme", "a-1").await?, 2);
        assert_eq!(
            outcomes::history(&conn, "acme", "a-1").await?,
            [(1, event.clone())]
        );

        let (answer, current) = find_with_outcome(&conn, "a-1", "acme")
            .await?
            .expect("the tenant's answer");
        assert_eq!((answer, current), (record.answer, Some(outcome)));
        assert_eq!(find_with_outcome(&conn, "a-1", "other").await?, None);
        let scored = scored_outcomes(&conn, "acme", None, None).await?;
        assert_eq!(scored[0].status, Some(CreditProposalStatus::Disbursed));
        Ok(())
    }
    db_test!(a_report_is_numbered_once_and_sets_the_outcome);
}
