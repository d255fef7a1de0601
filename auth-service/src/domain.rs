//! auth-service's rules: how secrets are made and checked, which scopes exist, what a token
//! says and for how long.

pub mod scopes;
pub mod secrets;
pub mod tokens;
