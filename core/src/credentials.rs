//! Sealing bank credentials.
//!
//! The seed design hashes them; a hash cannot be replayed to the bank, so
//! Moneta encrypts them with an AEAD instead: XChaCha20-Poly1305 (random
//! 192-bit nonces are safe at any volume), keyed by the SHA-256 of
//! `MONETA_CREDENTIALS_KEY`. The associated data binds a ciphertext to its
//! user and account, so a sealed blob copied to another row does not open.
//! Stored form: `version (1 byte) ‖ nonce (24) ‖ ciphertext+tag`.

use chacha20poly1305::aead::{Aead, Generate, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::InternalError;
use crate::institutions::Credentials;

const VERSION: u8 = 1;
const NONCE_LEN: usize = 24;

/// Seals and opens credentials with the deployment's key.
#[derive(Clone)]
pub struct CredentialsCipher {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for CredentialsCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CredentialsCipher(<key redacted>)")
    }
}

#[derive(Serialize, Deserialize)]
struct Plain {
    login: String,
    password: String,
}

fn aad(user_id: i64, account_id: i64) -> [u8; 16] {
    let mut aad = [0u8; 16];
    aad[..8].copy_from_slice(&user_id.to_be_bytes());
    aad[8..].copy_from_slice(&account_id.to_be_bytes());
    aad
}

impl CredentialsCipher {
    pub fn new(key: &SecretString) -> Self {
        let digest: [u8; 32] = Sha256::digest(key.expose_secret().as_bytes()).into();
        Self {
            cipher: XChaCha20Poly1305::new(&chacha20poly1305::Key::from(digest)),
        }
    }

    pub fn seal(
        &self,
        user_id: i64,
        account_id: i64,
        credentials: &Credentials,
    ) -> Result<Vec<u8>, InternalError> {
        let plain = serde_json::to_vec(&Plain {
            login: credentials.login.clone(),
            password: credentials.password.expose_secret().to_owned(),
        })
        .map_err(|_| InternalError::Corrupt("credentials encoding".into()))?;
        let nonce = XNonce::generate();
        let sealed = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: &plain,
                    aad: &aad(user_id, account_id),
                },
            )
            .map_err(|_| InternalError::Corrupt("credentials encryption".into()))?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    pub fn open(
        &self,
        user_id: i64,
        account_id: i64,
        sealed: &[u8],
    ) -> Result<Credentials, InternalError> {
        let corrupt = || InternalError::Corrupt("sealed credentials do not open".into());
        let (&version, rest) = sealed.split_first().ok_or_else(corrupt)?;
        if version != VERSION || rest.len() < NONCE_LEN {
            return Err(corrupt());
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let nonce = XNonce::try_from(nonce).map_err(|_| corrupt())?;
        let plain = self
            .cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: ciphertext,
                    aad: &aad(user_id, account_id),
                },
            )
            .map_err(|_| corrupt())?;
        let plain: Plain = serde_json::from_slice(&plain).map_err(|_| corrupt())?;
        Ok(Credentials {
            login: plain.login,
            password: SecretString::from(plain.password),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds() -> Credentials {
        Credentials {
            login: "user_good".into(),
            password: SecretString::from("pass_good".to_owned()),
        }
    }

    fn cipher(key: &str) -> CredentialsCipher {
        CredentialsCipher::new(&SecretString::from(key.to_owned()))
    }

    #[test]
    fn seals_and_opens_without_showing_the_password() {
        let c = cipher("a-credentials-key-of-enough-length-000");
        let sealed = c.seal(1, 2, &creds()).unwrap();
        assert!(!sealed.windows(9).any(|w| w == b"pass_good"));
        let opened = c.open(1, 2, &sealed).unwrap();
        assert_eq!(opened.login, "user_good");
        assert_eq!(opened.password.expose_secret(), "pass_good");
        assert_ne!(sealed, c.seal(1, 2, &creds()).unwrap(), "nonces differ");
    }

    #[test]
    fn refuses_another_row_another_key_and_tampering() {
        let c = cipher("a-credentials-key-of-enough-length-000");
        let sealed = c.seal(1, 2, &creds()).unwrap();
        assert!(c.open(1, 3, &sealed).is_err());
        assert!(c.open(9, 2, &sealed).is_err());
        assert!(
            cipher("another-key-of-enough-length-1111111")
                .open(1, 2, &sealed)
                .is_err()
        );
        let mut tampered = sealed.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(c.open(1, 2, &tampered).is_err());
        assert!(c.open(1, 2, &[]).is_err());
    }
}
