//! Client secrets: 256 random bits, shown once, stored only as HMAC-SHA256 under a server key
//! kept outside the database (a leaked table alone cannot be brute-forced offline, and a fast
//! keyed hash keeps token issuance cheap, unlike a password hash).

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
use ring::{hmac, rand::SecureRandom};
use std::fmt;

/// Bytes of randomness in a client secret (256 bits).
const SECRET_BYTES: usize = 32;

/// The server key that hashes client secrets.
pub struct HashKey(hmac::Key);

impl HashKey {
    pub fn from_bytes(bytes: &[u8]) -> Self {
        Self(hmac::Key::new(hmac::HMAC_SHA256, bytes))
    }

    /// A new random key (32 bytes).
    pub fn generate_bytes() -> Result<Vec<u8>, ring::error::Unspecified> {
        random_bytes(32)
    }

    pub fn hash(&self, secret: &ClientSecret) -> Vec<u8> {
        hmac::sign(&self.0, secret.0.as_bytes()).as_ref().to_vec()
    }

    /// Constant-time comparison of `secret` against a stored hash.
    pub fn verify(&self, secret: &str, stored_hash: &[u8]) -> bool {
        hmac::verify(&self.0, secret.as_bytes(), stored_hash).is_ok()
    }
}

/// Encrypts secrets kept in the database (the token-signing key) under a key derived from the
/// server key, so a copy of the database alone cannot mint tokens.
pub struct KeyCipher(ring::aead::LessSafeKey);

/// Nonce bytes prepended to each sealed value.
const NONCE_BYTES: usize = 12;

impl KeyCipher {
    pub fn new(hash_key: &HashKey) -> Result<Self, ring::error::Unspecified> {
        let derived = hmac::sign(&hash_key.0, b"aval/auth/signing-key-encryption/v1");
        let key = ring::aead::UnboundKey::new(&ring::aead::CHACHA20_POLY1305, derived.as_ref())?;
        Ok(Self(ring::aead::LessSafeKey::new(key)))
    }

    /// `nonce ‖ ciphertext ‖ tag`.
    pub fn seal(&self, plain: &[u8]) -> Result<Vec<u8>, ring::error::Unspecified> {
        let nonce_bytes = random_bytes(NONCE_BYTES)?;
        let nonce = ring::aead::Nonce::try_assume_unique_for_key(&nonce_bytes)?;
        let mut sealed = plain.to_vec();
        self.0
            .seal_in_place_append_tag(nonce, ring::aead::Aad::empty(), &mut sealed)?;
        Ok([nonce_bytes, sealed].concat())
    }

    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, ring::error::Unspecified> {
        if sealed.len() < NONCE_BYTES {
            return Err(ring::error::Unspecified);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_BYTES);
        let nonce = ring::aead::Nonce::try_assume_unique_for_key(nonce)?;
        let mut buffer = ciphertext.to_vec();
        let plain = self
            .0
            .open_in_place(nonce, ring::aead::Aad::empty(), &mut buffer)?;
        Ok(plain.to_vec())
    }
}

impl fmt::Debug for HashKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HashKey(***)")
    }
}

/// A freshly generated client secret, to be shown once.
pub struct ClientSecret(String);

impl ClientSecret {
    pub fn generate() -> Result<Self, ring::error::Unspecified> {
        Ok(Self(B64.encode(random_bytes(SECRET_BYTES)?)))
    }

    /// The secret itself, for the one answer that hands it out.
    pub fn reveal(self) -> String {
        self.0
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret(***)")
    }
}

pub fn random_bytes(n: usize) -> Result<Vec<u8>, ring::error::Unspecified> {
    let mut bytes = vec![0u8; n];
    ring::rand::SystemRandom::new().fill(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_256_bits_and_verify_only_under_their_key() {
        let secret = ClientSecret::generate().unwrap();
        let key = HashKey::from_bytes(&HashKey::generate_bytes().unwrap());
        let other_key = HashKey::from_bytes(&HashKey::generate_bytes().unwrap());
        let hash = key.hash(&secret);
        let text = secret.reveal();
        assert_eq!(B64.decode(&text).unwrap().len(), 32);
        assert!(key.verify(&text, &hash));
        assert!(!other_key.verify(&text, &hash));
        assert!(!key.verify("guess", &hash));
        assert_ne!(
            hash,
            text.as_bytes(),
            "the secret itself is not what is stored"
        );
    }

    #[test]
    fn sealed_keys_open_only_under_their_server_key() {
        let key = HashKey::from_bytes(&HashKey::generate_bytes().unwrap());
        let other = HashKey::from_bytes(&HashKey::generate_bytes().unwrap());
        let cipher = KeyCipher::new(&key).unwrap();
        let sealed = cipher.seal(b"private key").unwrap();
        assert!(!sealed.windows(11).any(|w| w == b"private key"));
        assert_eq!(cipher.open(&sealed).unwrap(), b"private key");
        assert!(KeyCipher::new(&other).unwrap().open(&sealed).is_err());
        assert!(cipher.open(&sealed[..5]).is_err());
    }

    #[test]
    fn debug_never_shows_secrets() {
        let secret = ClientSecret::generate().unwrap();
        assert_eq!(format!("{secret:?}"), "ClientSecret(***)");
    }
}
