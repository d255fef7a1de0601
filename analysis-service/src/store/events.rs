//! The steps of each analysis, numbered from 1 in the order they happened. The number is part
//! of the key, so two writers that read the same state cannot both add the next step: the
//! second finds the number taken and reads again.

use crate::{
    domain::lifecycle::{Actor, ActorType, Challenge, Event, EventKind},
    error::AnalysisError,
};
use sea_orm::{ActiveValue::Set, QueryOrder, SqlErr, entity::prelude::*};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "analysis_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub proposal_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub sequence: i32,
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub actor_type: String,
    pub actor_id: String,
    pub note: Option<String>,
    pub challenge: Option<String>,
    pub event_date: Option<Date>,
    pub occurred_at: DateTimeUtc,
    pub via_type: Option<String>,
    pub via_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Adds step `sequence` of an analysis; `Ok(false)` when that number is taken.
pub async fn append(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    proposal_id: &str,
    sequence: u32,
    event: &Event,
) -> Result<bool, AnalysisError> {
    let model = ActiveModel {
        tenant_id: Set(tenant_id.to_owned()),
        proposal_id: Set(proposal_id.to_owned()),
        sequence: Set(i32::try_from(sequence).unwrap_or(i32::MAX)),
        kind: Set(event.kind.as_str().to_owned()),
        from_status: Set(event.from.clone()),
        to_status: Set(event.to.clone()),
        actor_type: Set(event.actor.kind.as_str().to_owned()),
        actor_id: Set(event.actor.id.clone()),
        note: Set(event.note.clone()),
        challenge: Set(event.challenge.map(|c| c.as_str().to_owned())),
        event_date: Set(event.event_date),
        occurred_at: Set(event.occurred_at),
        via_type: Set(event.via.as_ref().map(|v| v.kind.as_str().to_owned())),
        via_id: Set(event.via.as_ref().map(|v| v.id.clone())),
    };
    match Entity::insert(model).exec_without_returning(db).await {
        Ok(_) => Ok(true),
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Ok(false)
        }
        Err(err) => Err(err.into()),
    }
}

/// Every step of the tenant's analysis `proposal_id`, numbered, in order.
pub async fn history(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    proposal_id: &str,
) -> Result<Vec<(u32, Event)>, AnalysisError> {
    Entity::find()
        .filter(Column::TenantId.eq(tenant_id))
        .filter(Column::ProposalId.eq(proposal_id))
        .order_by_asc(Column::Sequence)
        .all(db)
        .await?
        .into_iter()
        .map(|row| {
            let sequence = u32::try_from(row.sequence).unwrap_or(0);
            Event::try_from(row).map(|event| (sequence, event))
        })
        .collect()
}

/// The number the next step of an analysis takes.
pub async fn next_sequence(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    proposal_id: &str,
) -> Result<u32, AnalysisError> {
    let last = Entity::find()
        .filter(Column::TenantId.eq(tenant_id))
        .filter(Column::ProposalId.eq(proposal_id))
        .order_by_desc(Column::Sequence)
        .one(db)
        .await?;
    Ok(last.map_or(1, |row| u32::try_from(row.sequence).unwrap_or(0) + 1))
}

impl TryFrom<Model> for Event {
    type Error = AnalysisError;

    fn try_from(row: Model) -> Result<Self, Self::Error> {
        let corrupt = |what: &str, why: String| {
            AnalysisError::Corrupt(format!(
                "step {} of analysis `{}` of tenant `{}`: {what}: {why}",
                row.sequence, row.proposal_id, row.tenant_id
            ))
        };
        let kind = EventKind::parse(&row.kind).map_err(|e| corrupt("kind", e.to_string()))?;
        let actor_type =
            ActorType::parse(&row.actor_type).map_err(|e| corrupt("actor", e.to_string()))?;
        let challenge = row
            .challenge
            .as_deref()
            .map(Challenge::parse)
            .transpose()
            .map_err(|e| corrupt("challenge", e.to_string()))?;
        let via = match (row.via_type.as_deref(), row.via_id.clone()) {
            (Some(kind), Some(id)) => Some(Actor {
                kind: ActorType::parse(kind).map_err(|e| corrupt("via", e.to_string()))?,
                id,
            }),
            _ => None,
        };
        Ok(Self {
            via,
            kind,
            from: row.from_status,
            to: row.to_status,
            actor: Actor {
                kind: actor_type,
                id: row.actor_id,
            },
            note: row.note,
            challenge,
            event_date: row.event_date,
            occurred_at: row.occurred_at,
        })
    }
}
