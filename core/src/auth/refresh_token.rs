//! Refresh tokens: opaque to the client, stored only as a SHA-256 hash.
//!
//! The token names its user so the lookup routes to one shard (Vitess rule
//! 1): its wire form is base64url of the user id (8 bytes, big-endian)
//! followed by 32 random bytes. The random part is what makes it a secret;
//! the hash covers the whole token.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use crate::UserId;

/// How long a refresh token (and so a session, without use) lives.
pub const REFRESH_TOKEN_TTL: chrono::Duration = chrono::Duration::days(30);
const RANDOM_LEN: usize = 32;

/// A refresh token, either freshly minted or parsed from a client.
#[derive(Debug)]
pub struct RefreshToken {
    user_id: UserId,
    wire: SecretString,
}

impl RefreshToken {
    pub fn mint(user_id: UserId) -> Self {
        let mut bytes = Vec::with_capacity(8 + RANDOM_LEN);
        bytes.extend_from_slice(&user_id.get().to_be_bytes());
        let mut random = [0u8; RANDOM_LEN];
        rand::rng().fill_bytes(&mut random);
        bytes.extend_from_slice(&random);
        Self {
            user_id,
            wire: SecretString::from(URL_SAFE_NO_PAD.encode(bytes)),
        }
    }

    /// `None` for anything that is not a well-formed token.
    pub fn parse(wire: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(wire.trim()).ok()?;
        if bytes.len() != 8 + RANDOM_LEN {
            return None;
        }
        let user = i64::from_be_bytes(bytes.get(..8)?.try_into().ok()?);
        (user > 0).then(|| Self {
            user_id: UserId::new(user),
            wire: SecretString::from(wire.trim().to_owned()),
        })
    }

    pub fn user_id(&self) -> UserId {
        self.user_id
    }

    /// The value handed to the client, once.
    pub fn expose(&self) -> &str {
        self.wire.expose_secret()
    }

    /// Hex SHA-256 of the token: what the database keeps.
    pub fn hash(&self) -> String {
        let digest = Sha256::digest(self.wire.expose_secret().as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_user_and_hash() {
        let token = RefreshToken::mint(UserId::new(123_456_789));
        let parsed = RefreshToken::parse(token.expose()).unwrap();
        assert_eq!(parsed.user_id(), UserId::new(123_456_789));
        assert_eq!(parsed.hash(), token.hash());
        assert_eq!(token.hash().len(), 64);
    }

    #[test]
    fn tokens_are_unique() {
        let a = RefreshToken::mint(UserId::new(1));
        let b = RefreshToken::mint(UserId::new(1));
        assert_ne!(a.expose(), b.expose());
    }

    #[test]
    fn rejects_garbage() {
        for wire in ["", "abc", "!!!!", &URL_SAFE_NO_PAD.encode([0u8; 40])] {
            assert!(RefreshToken::parse(wire).is_none(), "{wire:?}");
        }
    }
}
