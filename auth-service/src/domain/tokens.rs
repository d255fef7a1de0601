//! What a token says and how long it lives.

use aval_transport::jwt::{self, AUDIENCE, Claims, ISSUER};
use ring::signature::Ed25519KeyPair;

/// Lifetime of an access token. Clients cache it; the gateway caches API-key exchanges until
/// shortly before this.
pub const TOKEN_TTL_SECS: i64 = 3600;

/// The claims of a token for `client_id` of `tenant_id` with `scopes`, issued at `now`.
pub fn claims(
    tenant_id: &str,
    client_id: &str,
    scopes: &[String],
    now: i64,
    jti: String,
) -> Claims {
    Claims {
        iss: ISSUER.to_owned(),
        aud: AUDIENCE.to_owned(),
        sub: client_id.to_owned(),
        exp: now + TOKEN_TTL_SECS,
        iat: now,
        jti,
        tenant: tenant_id.to_owned(),
        scope: scopes.join(" "),
    }
}

/// The signing key in use: its id and key pair.
pub struct SigningKey {
    pub kid: String,
    pub pair: Ed25519KeyPair,
}

impl SigningKey {
    pub fn sign(&self, claims: &Claims) -> Result<String, serde_json::Error> {
        jwt::sign(claims, &self.kid, &self.pair)
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.kid)
    }
}
