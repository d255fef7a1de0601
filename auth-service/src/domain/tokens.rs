//! What a token says, how long it lives, and the key that signs it.

use super::secrets::{KeyCipher, random_bytes};
use aval_transport::jwt::{self, AUDIENCE, Claims, ISSUER};
use ring::signature::{Ed25519KeyPair, KeyPair};

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

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("no randomness to make a signing key")]
    Randomness,
    #[error("the stored signing key does not open under this server key")]
    Unsealable,
    #[error("the stored signing key is unreadable")]
    Unreadable,
}

/// The signing key in use: its id and key pair.
pub struct SigningKey {
    pub kid: String,
    pub pair: Ed25519KeyPair,
}

/// A signing key as it is kept: its private half sealed under the server key (a copy of the
/// database alone cannot mint tokens), its public half in clear for the JWKS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedKey {
    pub kid: String,
    pub sealed_pkcs8: Vec<u8>,
    pub public_key: Vec<u8>,
}

/// The public half of a signing key, as the JWKS publishes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    pub kid: String,
    /// The 32 raw bytes of the Ed25519 public key.
    pub key: Vec<u8>,
}

impl From<SealedKey> for PublicKey {
    fn from(sealed: SealedKey) -> Self {
        Self {
            kid: sealed.kid,
            key: sealed.public_key,
        }
    }
}

impl SigningKey {
    /// A new Ed25519 key with a random id, and its sealed form for storage.
    pub fn generate(cipher: &KeyCipher) -> Result<(Self, SealedKey), KeyError> {
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).map_err(|_| KeyError::Randomness)?;
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).map_err(|_| KeyError::Unreadable)?;
        let kid: String = random_bytes(8)
            .map_err(|_| KeyError::Randomness)?
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let sealed = SealedKey {
            kid: kid.clone(),
            sealed_pkcs8: cipher
                .seal(pkcs8.as_ref())
                .map_err(|_| KeyError::Randomness)?,
            public_key: pair.public_key().as_ref().to_vec(),
        };
        Ok((Self { kid, pair }, sealed))
    }

    /// Opens a stored key with the server key.
    pub fn open(sealed: &SealedKey, cipher: &KeyCipher) -> Result<Self, KeyError> {
        let pkcs8 = cipher
            .open(&sealed.sealed_pkcs8)
            .map_err(|_| KeyError::Unsealable)?;
        let pair = Ed25519KeyPair::from_pkcs8(&pkcs8).map_err(|_| KeyError::Unreadable)?;
        Ok(Self {
            kid: sealed.kid.clone(),
            pair,
        })
    }

    pub fn sign(&self, claims: &Claims) -> Result<String, serde_json::Error> {
        jwt::sign(claims, &self.kid, &self.pair)
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.kid)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::secrets::HashKey;

    #[test]
    fn a_generated_key_is_stored_sealed_and_opens_only_under_its_server_key() {
        let cipher = KeyCipher::new(&HashKey::from_bytes(&[7; 32])).unwrap();
        let other = KeyCipher::new(&HashKey::from_bytes(&[8; 32])).unwrap();
        let (key, sealed) = SigningKey::generate(&cipher).unwrap();
        assert_eq!(sealed.kid, key.kid);
        assert_eq!(sealed.public_key, key.pair.public_key().as_ref());
        let opened = SigningKey::open(&sealed, &cipher).unwrap();
        assert_eq!(
            opened.pair.public_key().as_ref(),
            key.pair.public_key().as_ref()
        );
        assert!(matches!(
            SigningKey::open(&sealed, &other),
            Err(KeyError::Unsealable)
        ));
    }
}
