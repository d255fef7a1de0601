//! OAuth2 clients. The secret is stored only as its keyed hash.

use super::{StoreError, insert_error};
use crate::domain::Client;
use sea_orm::{ActiveValue::Set, entity::prelude::*};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "auth_clients")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub client_id: String,
    pub tenant_id: String,
    pub name: String,
    pub secret_hash: Vec<u8>,
    /// Space-separated.
    pub scopes: String,
    pub created_at: DateTimeUtc,
    pub disabled_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    fn into_client(self) -> Client {
        Client {
            scopes: self.scopes.split_whitespace().map(str::to_owned).collect(),
            client_id: self.client_id,
            tenant_id: self.tenant_id,
            secret_hash: self.secret_hash,
        }
    }
}

/// Stores a new client named `name`; `AlreadyExists` when its id is taken.
pub async fn insert(
    db: &impl ConnectionTrait,
    client: &Client,
    name: &str,
) -> Result<(), StoreError> {
    ActiveModel {
        client_id: Set(client.client_id.clone()),
        tenant_id: Set(client.tenant_id.clone()),
        name: Set(name.to_owned()),
        secret_hash: Set(client.secret_hash.clone()),
        scopes: Set(client.scopes.join(" ")),
        created_at: Set(chrono::Utc::now()),
        disabled_at: Set(None),
    }
    .insert(db)
    .await
    .map_err(insert_error)?;
    Ok(())
}

/// An enabled client.
pub async fn find_enabled(
    db: &impl ConnectionTrait,
    client_id: &str,
) -> Result<Option<Client>, DbErr> {
    Ok(Entity::find_by_id(client_id.to_owned())
        .one(db)
        .await?
        .filter(|c| c.disabled_at.is_none())
        .map(Model::into_client))
}

/// Replaces the secret hash; false when there is no such client.
pub async fn set_secret_hash(
    db: &impl ConnectionTrait,
    client_id: &str,
    secret_hash: Vec<u8>,
) -> Result<bool, DbErr> {
    let result = Entity::update_many()
        .col_expr(Column::SecretHash, Expr::value(secret_hash))
        .filter(Column::ClientId.eq(client_id))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}
