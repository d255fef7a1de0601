//! The reports on each answer's credit, numbered from 1 in the order they were made. The number
//! is part of the key, so two writers that read the same state cannot both add the next report:
//! the second finds the number taken and reads again.

use crate::domain::outcome::{
    CreditOutcome, CreditProposalStatus, OutcomeEvent, Reporter, ReporterKind,
};
use sea_orm::{ActiveValue::Set, QueryOrder, SqlErr, entity::prelude::*};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "score_outcome_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub answer_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub sequence: i32,
    pub from_status: Option<String>,
    pub to_status: String,
    pub event_date: Date,
    pub actor_type: String,
    pub actor_id: String,
    pub occurred_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Adds report `sequence` on an answer's credit; `Ok(false)` when that number is taken.
pub async fn append(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    answer_id: &str,
    sequence: u32,
    event: &OutcomeEvent,
) -> Result<bool, DbErr> {
    let model = ActiveModel {
        tenant_id: Set(tenant_id.to_owned()),
        answer_id: Set(answer_id.to_owned()),
        sequence: Set(i32::try_from(sequence).unwrap_or(i32::MAX)),
        from_status: Set(event.from.map(|s| s.as_str().to_owned())),
        to_status: Set(event.outcome.status.as_str().to_owned()),
        event_date: Set(event.outcome.event_date),
        actor_type: Set(event.reporter.kind.as_str().to_owned()),
        actor_id: Set(event.reporter.id.clone()),
        occurred_at: Set(event.occurred_at),
    };
    match Entity::insert(model).exec_without_returning(db).await {
        Ok(_) => Ok(true),
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Ok(false)
        }
        Err(err) => Err(err),
    }
}

/// Every report on the credit of the tenant's answer `answer_id`, numbered, in order.
pub async fn history(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    answer_id: &str,
) -> Result<Vec<(u32, OutcomeEvent)>, DbErr> {
    Entity::find()
        .filter(Column::TenantId.eq(tenant_id))
        .filter(Column::AnswerId.eq(answer_id))
        .order_by_asc(Column::Sequence)
        .all(db)
        .await?
        .into_iter()
        .map(|row| {
            let sequence = u32::try_from(row.sequence).unwrap_or(0);
            OutcomeEvent::try_from(row).map(|event| (sequence, event))
        })
        .collect()
}

/// The number the next report on an answer takes.
pub async fn next_sequence(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    answer_id: &str,
) -> Result<u32, DbErr> {
    let last = Entity::find()
        .filter(Column::TenantId.eq(tenant_id))
        .filter(Column::AnswerId.eq(answer_id))
        .order_by_desc(Column::Sequence)
        .one(db)
        .await?;
    Ok(last.map_or(1, |row| u32::try_from(row.sequence).unwrap_or(0) + 1))
}

impl TryFrom<Model> for OutcomeEvent {
    type Error = DbErr;

    fn try_from(row: Model) -> Result<Self, DbErr> {
        let corrupt = |what: &str, why: String| {
            DbErr::Custom(format!(
                "report {} on answer `{}`: {what}: {why}",
                row.sequence, row.answer_id
            ))
        };
        let status = |text: &str| {
            CreditProposalStatus::parse(text).map_err(|e| corrupt("status", e.to_string()))
        };
        Ok(Self {
            from: row.from_status.as_deref().map(status).transpose()?,
            outcome: CreditOutcome {
                status: status(&row.to_status)?,
                event_date: row.event_date,
            },
            reporter: Reporter {
                kind: ReporterKind::parse(&row.actor_type)
                    .ok_or_else(|| corrupt("actor", row.actor_type.clone()))?,
                id: row.actor_id.clone(),
            },
            occurred_at: row.occurred_at,
        })
    }
}
