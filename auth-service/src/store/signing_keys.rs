//! Token-signing keys, kept across restarts.

use crate::domain::{
    secrets::{KeyCipher, random_bytes},
    tokens::SigningKey,
};
use ring::signature::{Ed25519KeyPair, KeyPair};
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

fn key_error(what: &str) -> DbErr {
    DbErr::Custom(format!("signing key: {what}"))
}

/// The newest unretired key, created on first start. The private key is stored sealed by
/// `cipher`: its PKCS#8 document never reaches the database in clear.
pub async fn active_or_create(
    db: &impl ConnectionTrait,
    cipher: &KeyCipher,
) -> Result<SigningKey, DbErr> {
    if let Some(model) = published(db).await?.into_iter().next() {
        let pkcs8 = cipher
            .open(&model.pkcs8)
            .map_err(|_| key_error("stored key does not open under this server key"))?;
        let pair = Ed25519KeyPair::from_pkcs8(&pkcs8)
            .map_err(|_| key_error("stored key is unreadable"))?;
        return Ok(SigningKey {
            kid: model.kid,
            pair,
        });
    }
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).map_err(|_| key_error("cannot generate"))?;
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).map_err(|_| key_error("cannot load"))?;
    let kid_bytes = random_bytes(8).map_err(|_| key_error("no randomness"))?;
    let kid = kid_bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    ActiveModel {
        kid: Set(kid.clone()),
        pkcs8: Set(cipher
            .seal(pkcs8.as_ref())
            .map_err(|_| key_error("cannot seal"))?),
        public_key: Set(pair.public_key().as_ref().to_vec()),
        created_at: Set(chrono::Utc::now()),
        retired_at: Set(None),
    }
    .insert(db)
    .await?;
    tracing::info!(kid, "created a token-signing key");
    Ok(SigningKey { kid, pair })
}

/// Every unretired key, newest first: what the JWKS publishes.
pub async fn published(db: &impl ConnectionTrait) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::RetiredAt.is_null())
        .order_by_desc(Column::CreatedAt)
        .all(db)
        .await
}
