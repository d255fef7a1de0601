//! Tenants: the partners whose data never mixes.

use super::{StoreError, insert_error};
use sea_orm::{ActiveValue::Set, entity::prelude::*};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "auth_tenants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub async fn insert(db: &impl ConnectionTrait, id: &str, name: &str) -> Result<Model, StoreError> {
    ActiveModel {
        id: Set(id.to_owned()),
        name: Set(name.to_owned()),
        created_at: Set(chrono::Utc::now()),
    }
    .insert(db)
    .await
    .map_err(insert_error)
}

pub async fn find(db: &impl ConnectionTrait, id: &str) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id.to_owned()).one(db).await
}
