//! Earlier versions of an analysis: the proposal and the engine's decision that a challenge
//! answer replaced, kept for audit and replay, numbered from 1 (the first decision).

use crate::{domain::decision::Decision, error::AnalysisError, store::analyses::AnalysisRecord};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, QueryOrder, entity::prelude::*};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "analysis_revisions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub proposal_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub revision: i32,
    pub proposal_hash: String,
    pub proposal: Json,
    pub decision: Json,
    pub decided_at: DateTimeUtc,
    pub received_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// A replaced version of an analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct Revision {
    pub revision: u32,
    pub proposal: serde_json::Value,
    pub decision: Decision,
    pub decided_at: DateTime<Utc>,
}

/// Keeps `replaced`, the version a challenge answer replaces (decided at `decided_at`); its
/// number follows the ones kept before.
pub async fn keep(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    replaced: &AnalysisRecord,
    decided_at: DateTime<Utc>,
) -> Result<(), AnalysisError> {
    let proposal_id = replaced.stored.analysis.id.as_str();
    let kept = Entity::find()
        .filter(Column::TenantId.eq(tenant_id))
        .filter(Column::ProposalId.eq(proposal_id))
        .count(db)
        .await?;
    let model = ActiveModel {
        tenant_id: Set(tenant_id.to_owned()),
        proposal_id: Set(proposal_id.to_owned()),
        revision: Set(i32::try_from(kept + 1).unwrap_or(i32::MAX)),
        proposal_hash: Set(replaced.stored.fingerprint.as_str().to_owned()),
        proposal: Set(replaced.proposal.clone()),
        decision: Set(serde_json::to_value(&replaced.stored.analysis.decision)?),
        decided_at: Set(decided_at),
        received_at: Set(Some(replaced.received_at)),
    };
    Entity::insert(model).exec_without_returning(db).await?;
    Ok(())
}

/// The replaced versions of the tenant's analysis, oldest first.
pub async fn list(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    proposal_id: &str,
) -> Result<Vec<Revision>, AnalysisError> {
    Entity::find()
        .filter(Column::TenantId.eq(tenant_id))
        .filter(Column::ProposalId.eq(proposal_id))
        .order_by_asc(Column::Revision)
        .all(db)
        .await?
        .into_iter()
        .map(|row| {
            let decision = serde_json::from_value(row.decision).map_err(|e| {
                AnalysisError::Corrupt(format!(
                    "revision {} of analysis `{}`: {e}",
                    row.revision, row.proposal_id
                ))
            })?;
            Ok(Revision {
                revision: u32::try_from(row.revision).unwrap_or(0),
                proposal: row.proposal,
                decision,
                decided_at: row.decided_at,
            })
        })
        .collect()
}
