//! Token-signing keys, kept across restarts, their private half sealed (see
//! `domain::tokens::SealedKey`).

use crate::domain::tokens::SealedKey;
use sea_orm::{ActiveValue::Set, QueryOrder, entity::prelude::*};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "auth_signing_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub kid: String,
    pub pkcs8: Vec<u8>,
    pub public_key: Vec<u8>,
    pub created_at: DateTimeUtc,
    pub retired_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub async fn insert(db: &impl ConnectionTrait, key: &SealedKey) -> Result<(), DbErr> {
    ActiveModel {
        kid: Set(key.kid.clone()),
        pkcs8: Set(key.sealed_pkcs8.clone()),
        public_key: Set(key.public_key.clone()),
        created_at: Set(chrono::Utc::now()),
        retired_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Every unretired key, newest first: what the JWKS publishes; the first one signs.
pub async fn published(db: &impl ConnectionTrait) -> Result<Vec<SealedKey>, DbErr> {
    Ok(Entity::find()
        .filter(Column::RetiredAt.is_null())
        .order_by_desc(Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|m| SealedKey {
            kid: m.kid,
            sealed_pkcs8: m.pkcs8,
            public_key: m.public_key,
        })
        .collect())
}
