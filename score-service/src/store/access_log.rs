//! The per-CPF access log: every delivered score, who asked and why.

use crate::domain::AccessLogEntry;
use sea_orm::{ActiveValue::Set, entity::prelude::*};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "score_access_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub answer_id: String,
    pub tenant_id: String,
    pub client_id: String,
    pub document: String,
    pub customer_id: String,
    pub purpose: String,
    pub model_id: String,
    pub model_version: i32,
    pub score: i32,
    pub request_id: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub async fn insert(db: &impl ConnectionTrait, entry: &AccessLogEntry) -> Result<(), DbErr> {
    let model = ActiveModel {
        answer_id: Set(entry.answer_id.clone()),
        tenant_id: Set(entry.tenant_id.clone()),
        client_id: Set(entry.client_id.clone()),
        document: Set(entry.cpf.digits().to_owned()),
        customer_id: Set(entry.customer_id.clone()),
        purpose: Set(entry.purpose.as_str().to_owned()),
        model_id: Set(entry.model_id.clone()),
        model_version: Set(entry.model_version),
        score: Set(i32::try_from(entry.score).unwrap_or(i32::MAX)),
        request_id: Set(entry.request_id.clone()),
        created_at: Set(entry.created_at),
    };
    Entity::insert(model).exec_without_returning(db).await?;
    Ok(())
}

/// Who consulted `cpf` since `since`, newest first (at most `limit` entries).
pub async fn consultations(
    db: &impl ConnectionTrait,
    cpf: &aval_credit::Cpf,
    since: DateTimeUtc,
    limit: u64,
) -> Result<Vec<crate::domain::rights::Consultation>, DbErr> {
    use sea_orm::{QueryOrder, QuerySelect};
    Ok(Entity::find()
        .filter(Column::Document.eq(cpf.digits()))
        .filter(Column::CreatedAt.gte(since))
        .order_by_desc(Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(|row| crate::domain::rights::Consultation {
            tenant_id: row.tenant_id,
            purpose: row.purpose,
            consulted_at: row.created_at,
        })
        .collect())
}

/// Whether `answer_id` is an answer `tenant_id` got about `cpf`.
pub async fn answered_about(
    db: &impl ConnectionTrait,
    answer_id: &str,
    tenant_id: &str,
    cpf: &aval_credit::Cpf,
) -> Result<bool, DbErr> {
    Ok(Entity::find_by_id(answer_id.to_owned())
        .filter(Column::TenantId.eq(tenant_id))
        .filter(Column::Document.eq(cpf.digits()))
        .one(db)
        .await?
        .is_some())
}

/// Whether `tenant_id` got any answer about `cpf` (a relationship with the consumer).
pub async fn consulted_by(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    cpf: &aval_credit::Cpf,
) -> Result<bool, DbErr> {
    Ok(Entity::find()
        .filter(Column::TenantId.eq(tenant_id))
        .filter(Column::Document.eq(cpf.digits()))
        .one(db)
        .await?
        .is_some())
}
