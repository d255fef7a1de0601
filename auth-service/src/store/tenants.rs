//! Tenants: the partners whose data never mixes.

use super::{StoreError, insert_error};
use crate::domain::Tenant;
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

impl Model {
    fn into_tenant(self) -> Tenant {
        Tenant {
            id: self.id,
            name: self.name,
            created_at: self.created_at,
        }
    }
}

/// Stores a new tenant; `AlreadyExists` when its id is taken.
pub async fn insert(db: &impl ConnectionTrait, tenant: &Tenant) -> Result<(), StoreError> {
    ActiveModel {
        id: Set(tenant.id.clone()),
        name: Set(tenant.name.clone()),
        created_at: Set(tenant.created_at),
    }
    .insert(db)
    .await
    .map_err(insert_error)?;
    Ok(())
}

pub async fn find(db: &impl ConnectionTrait, id: &str) -> Result<Option<Tenant>, DbErr> {
    Ok(Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .map(Model::into_tenant))
}
