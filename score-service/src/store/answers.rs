//! The audit record of every delivered score.

use crate::domain::{
    answer::{AuditRecord, ScoreAnswer, hash_inputs},
    model::Record,
};
use sea_orm::{ActiveValue::Set, entity::prelude::*};

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
    let mut query = Entity::find_by_id(answer_id.to_owned());
    if let Some(tenant_id) = tenant_id {
        query = query.filter(Column::TenantId.eq(tenant_id));
    }
    let Some(row) = query.one(db).await? else {
        return Ok(None);
    };
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
    Ok(Some(AuditRecord {
        tenant_id: row.tenant_id,
        inputs,
        answer,
    }))
}
