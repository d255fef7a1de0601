//! auth-service's rules: how secrets are made and checked, which scopes exist, what a token
//! says and for how long, which names operators may give.

pub mod names;
pub mod scopes;
pub mod secrets;
pub mod tokens;

/// An OAuth2 client as auth-service knows it: its secret only as a keyed hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Client {
    pub client_id: String,
    pub tenant_id: String,
    pub secret_hash: Vec<u8>,
    pub scopes: Vec<String>,
}

/// A tenant: a partner whose data never mixes with another's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tenant {
    pub id: String,
    pub name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}
