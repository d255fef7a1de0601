//! Bearer tokens: compact JWS (RFC 7515) signed with Ed25519 (`alg: EdDSA`, RFC 8037).
//! auth-service signs them; every service verifies them locally against auth's JWKS.
//! Ed25519 only, on ring (already the TLS provider): no RSA code in the tree.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
use ring::signature::{ED25519, Ed25519KeyPair, UnparsedPublicKey};
use serde::{Deserialize, Serialize};

/// The `iss` of every Aval token.
pub const ISSUER: &str = "aval-auth";
/// The `aud` of every Aval token: the whole mesh.
pub const AUDIENCE: &str = "aval";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Header {
    pub alg: String,
    pub typ: String,
    pub kid: String,
}

/// What a token says about its bearer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The OAuth2 client id.
    pub sub: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    /// The tenant the client belongs to: every query is confined to it.
    pub tenant: String,
    /// Space-separated scopes.
    pub scope: String,
}

impl Claims {
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.split_whitespace()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is malformed")]
    Malformed,
    #[error("the token's algorithm is not EdDSA")]
    Algorithm,
    #[error("the token was signed by an unknown key")]
    UnknownKey,
    #[error("the signing keys cannot be fetched from auth-service now")]
    KeysUnavailable,
    #[error("the token's signature is invalid")]
    Signature,
    #[error("the token has expired")]
    Expired,
    #[error("the token was not issued for Aval")]
    WrongIssuerOrAudience,
}

/// Signs `claims` with `key`, naming it `kid`.
pub fn sign(claims: &Claims, kid: &str, key: &Ed25519KeyPair) -> Result<String, serde_json::Error> {
    let header = Header {
        alg: "EdDSA".to_owned(),
        typ: "JWT".to_owned(),
        kid: kid.to_owned(),
    };
    let signing_input = format!(
        "{}.{}",
        B64.encode(serde_json::to_vec(&header)?),
        B64.encode(serde_json::to_vec(claims)?)
    );
    let signature = key.sign(signing_input.as_bytes());
    Ok(format!(
        "{signing_input}.{}",
        B64.encode(signature.as_ref())
    ))
}

/// The header, read before the signature is checked (to find the key).
pub fn header(token: &str) -> Result<Header, TokenError> {
    let encoded = token.split('.').next().ok_or(TokenError::Malformed)?;
    let bytes = B64.decode(encoded).map_err(|_| TokenError::Malformed)?;
    let header: Header = serde_json::from_slice(&bytes).map_err(|_| TokenError::Malformed)?;
    if header.alg != "EdDSA" {
        return Err(TokenError::Algorithm);
    }
    Ok(header)
}

/// Checks the signature with `public_key` (32 raw bytes), then expiry (`now`, seconds since the
/// epoch, with `leeway_secs` for clock skew), issuer and audience.
pub fn verify(
    token: &str,
    public_key: &[u8],
    now: i64,
    leeway_secs: i64,
) -> Result<Claims, TokenError> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let signature = B64.decode(signature).map_err(|_| TokenError::Malformed)?;
    let signing_input = &token[..header.len() + 1 + payload.len()];
    UnparsedPublicKey::new(&ED25519, public_key)
        .verify(signing_input.as_bytes(), &signature)
        .map_err(|_| TokenError::Signature)?;
    let claims: Claims = B64
        .decode(payload)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or(TokenError::Malformed)?;
    if claims.exp + leeway_secs <= now {
        return Err(TokenError::Expired);
    }
    if claims.iss != ISSUER || claims.aud != AUDIENCE {
        return Err(TokenError::WrongIssuerOrAudience);
    }
    Ok(claims)
}

/// base64url without padding, as JWK `x` values are written.
pub fn encode_key(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

pub fn decode_key(text: &str) -> Option<Vec<u8>> {
    B64.decode(text).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use ring::{rand::SystemRandom, signature::KeyPair};

    fn key() -> Ed25519KeyPair {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap()
    }

    fn claims(exp: i64) -> Claims {
        Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: "client".into(),
            exp,
            iat: exp - 3600,
            jti: "j".into(),
            tenant: "t".into(),
            scope: "score:read usage:read".into(),
        }
    }

    #[test]
    fn a_signed_token_verifies_with_its_key_only() {
        let (key, other) = (key(), key());
        let token = sign(&claims(2_000), "k1", &key).unwrap();
        assert_eq!(header(&token).unwrap().kid, "k1");
        let verified = verify(&token, key.public_key().as_ref(), 1_000, 0).unwrap();
        assert_eq!(
            verified.scopes().collect::<Vec<_>>(),
            ["score:read", "usage:read"]
        );
        assert_eq!(
            verify(&token, other.public_key().as_ref(), 1_000, 0),
            Err(TokenError::Signature)
        );
    }

    #[test]
    fn expired_tampered_and_foreign_tokens_are_refused() {
        let key = key();
        let public = key.public_key().as_ref().to_vec();
        let token = sign(&claims(1_000), "k1", &key).unwrap();
        assert_eq!(verify(&token, &public, 1_000, 0), Err(TokenError::Expired));
        assert!(
            verify(&token, &public, 1_030, 60).is_ok(),
            "leeway for skew"
        );

        // Change the tenant in the payload, keep the signature.
        let mut forged = claims(2_000);
        forged.tenant = "someone-else".into();
        let forged_payload = B64.encode(serde_json::to_vec(&forged).unwrap());
        let parts: Vec<&str> = token.split('.').collect();
        let tampered = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
        assert_eq!(
            verify(&tampered, &public, 500, 0),
            Err(TokenError::Signature)
        );

        let mut foreign = claims(2_000);
        foreign.aud = "elsewhere".into();
        let foreign = sign(&foreign, "k1", &key).unwrap();
        assert_eq!(
            verify(&foreign, &public, 500, 0),
            Err(TokenError::WrongIssuerOrAudience)
        );

        assert_eq!(verify("a.b", &public, 0, 0), Err(TokenError::Malformed));
        let none_alg = format!(
            "{}.{}.",
            B64.encode(br#"{"alg":"none","typ":"JWT","kid":"k1"}"#),
            parts[1]
        );
        assert_eq!(header(&none_alg), Err(TokenError::Algorithm));
    }
}
