//! auth-service's use cases: issue tokens, publish the keys that verify them, administer
//! tenants and clients. Each takes and returns domain types; `api` only converts.

use crate::{
    domain::{
        Client, Tenant,
        names::{DisplayName, Id},
        scopes,
        secrets::{ClientSecret, HashKey, KeyCipher},
        tokens::{self, PublicKey, SealedKey, SigningKey, TOKEN_TTL_SECS},
    },
    error::AuthError,
    store::{self, StoreError},
};
use sea_orm::{ConnectionTrait, DatabaseConnection};

pub struct AuthApp {
    db: DatabaseConnection,
    hash_key: HashKey,
    signing_key: SigningKey,
}

/// A granted access token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedToken {
    pub access_token: String,
    pub expires_in: i64,
    pub scopes: Vec<String>,
}

/// A new OAuth2 client, as the operator asked for it (already validated).
pub struct NewClient {
    pub tenant_id: String,
    pub client_id: Id,
    pub name: DisplayName,
    pub scopes: Vec<String>,
}

/// The key that signs tokens: the newest stored one, or a new one on first start. Opening it
/// needs the server key (`hash_key`), which never enters the database.
pub async fn active_signing_key(
    db: &impl ConnectionTrait,
    hash_key: &HashKey,
) -> Result<SigningKey, AuthError> {
    let cipher = KeyCipher::new(hash_key).map_err(|_| AuthError::Internal("key cipher".into()))?;
    if let Some(stored) = store::signing_keys::published(db).await?.first() {
        return Ok(SigningKey::open(stored, &cipher)?);
    }
    let (key, sealed): (SigningKey, SealedKey) = SigningKey::generate(&cipher)?;
    store::signing_keys::insert(db, &sealed).await?;
    tracing::info!(kid = key.kid, "created a token-signing key");
    Ok(key)
}

impl AuthApp {
    /// Loads (or creates) the signing key and serves with it.
    pub async fn start(db: DatabaseConnection, hash_key: HashKey) -> Result<Self, AuthError> {
        let signing_key = active_signing_key(&db, &hash_key).await?;
        Ok(Self {
            db,
            hash_key,
            signing_key,
        })
    }

    /// The client credentials grant (RFC 6749 §4.4): an unknown client, a wrong secret and a
    /// disabled client get the same answer.
    pub async fn issue_token(
        &self,
        client_id: &str,
        client_secret: &str,
        requested_scope: &str,
    ) -> Result<IssuedToken, AuthError> {
        let client: Client = store::clients::find_enabled(&self.db, client_id)
            .await?
            .ok_or(AuthError::InvalidClient)?;
        if !self.hash_key.verify(client_secret, &client.secret_hash) {
            return Err(AuthError::InvalidClient);
        }
        let granted =
            scopes::grant(&client.scopes, requested_scope).ok_or(AuthError::InvalidScope)?;
        let claims = tokens::claims(
            &client.tenant_id,
            &client.client_id,
            &granted,
            chrono::Utc::now().timestamp(),
            uuid::Uuid::new_v4().to_string(),
        );
        let access_token = self
            .signing_key
            .sign(&claims)
            .map_err(|e| AuthError::Internal(e.to_string()))?;
        Ok(IssuedToken {
            access_token,
            expires_in: TOKEN_TTL_SECS,
            scopes: granted,
        })
    }

    /// The public half of every key that may have signed a live token.
    pub async fn published_keys(&self) -> Result<Vec<PublicKey>, AuthError> {
        let stored = store::signing_keys::published(&self.db).await?;
        Ok(stored.into_iter().map(PublicKey::from).collect())
    }

    pub async fn create_tenant(&self, id: Id, name: DisplayName) -> Result<Tenant, AuthError> {
        let tenant = Tenant {
            id: id.as_str().to_owned(),
            name: name.as_str().to_owned(),
            created_at: chrono::Utc::now(),
        };
        store::tenants::insert(&self.db, &tenant)
            .await
            .map_err(|e| already_exists(e, "tenant"))?;
        Ok(tenant)
    }

    /// Creates the client and returns its secret, shown this once (only its keyed hash is
    /// stored).
    pub async fn create_client(&self, new: NewClient) -> Result<ClientSecret, AuthError> {
        if store::tenants::find(&self.db, &new.tenant_id)
            .await?
            .is_none()
        {
            return Err(AuthError::NotFound("tenant"));
        }
        let (secret, secret_hash) = self.new_secret()?;
        let client = Client {
            client_id: new.client_id.as_str().to_owned(),
            tenant_id: new.tenant_id,
            secret_hash,
            scopes: new.scopes,
        };
        store::clients::insert(&self.db, &client, new.name.as_str())
            .await
            .map_err(|e| already_exists(e, "client"))?;
        Ok(secret)
    }

    /// Replaces a client's secret; the old one stops working at once.
    pub async fn rotate_client_secret(&self, client_id: &str) -> Result<ClientSecret, AuthError> {
        let (secret, secret_hash) = self.new_secret()?;
        if !store::clients::set_secret_hash(&self.db, client_id, secret_hash).await? {
            return Err(AuthError::NotFound("client"));
        }
        Ok(secret)
    }

    fn new_secret(&self) -> Result<(ClientSecret, Vec<u8>), AuthError> {
        let secret =
            ClientSecret::generate().map_err(|_| AuthError::Internal("no randomness".into()))?;
        let hash = self.hash_key.hash(&secret);
        Ok((secret, hash))
    }
}

fn already_exists(error: StoreError, what: &'static str) -> AuthError {
    match error {
        StoreError::AlreadyExists => AuthError::AlreadyExists(what),
        StoreError::Db(e) => AuthError::Db(e),
    }
}
