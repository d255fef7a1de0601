//! Analyses, one per (tenant, proposal id): the proposal as received and the decision with
//! everything needed to replay it (policy id and version, partner scores, reasons).

use sea_orm::{ActiveValue::Set, SqlErr, entity::prelude::*};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "analysis_analyses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub proposal_id: String,
    /// SHA-256 (hex) of the proposal's canonical protobuf encoding.
    pub proposal_hash: String,
    pub proposal: Json,
    pub status: String,
    pub decision: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub async fn find(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    proposal_id: &str,
) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id((tenant_id.to_owned(), proposal_id.to_owned()))
        .one(db)
        .await
}

/// Inserts a new analysis; `Ok(false)` when one with that key already exists (a concurrent
/// submission of the same proposal id won).
pub async fn insert(db: &impl ConnectionTrait, analysis: Model) -> Result<bool, DbErr> {
    let model = ActiveModel {
        tenant_id: Set(analysis.tenant_id),
        proposal_id: Set(analysis.proposal_id),
        proposal_hash: Set(analysis.proposal_hash),
        proposal: Set(analysis.proposal),
        status: Set(analysis.status),
        decision: Set(analysis.decision),
        created_at: Set(analysis.created_at),
        updated_at: Set(analysis.updated_at),
    };
    match Entity::insert(model).exec_without_returning(db).await {
        Ok(_) => Ok(true),
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Ok(false)
        }
        Err(err) => Err(err),
    }
}
