//! The per-CPF access log: every delivered score, who asked and why.

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

pub async fn insert(db: &impl ConnectionTrait, entry: Model) -> Result<(), DbErr> {
    let model = ActiveModel {
        answer_id: Set(entry.answer_id),
        tenant_id: Set(entry.tenant_id),
        client_id: Set(entry.client_id),
        document: Set(entry.document),
        customer_id: Set(entry.customer_id),
        purpose: Set(entry.purpose),
        model_id: Set(entry.model_id),
        model_version: Set(entry.model_version),
        score: Set(entry.score),
        request_id: Set(entry.request_id),
        created_at: Set(entry.created_at),
    };
    Entity::insert(model).exec_without_returning(db).await?;
    Ok(())
}
