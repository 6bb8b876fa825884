//! Password hashing: argon2id with OWASP's parameters, off the async
//! executor, with bounded concurrency.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;

use super::AuthError;
use crate::error::InternalError;

/// How long a sign-in may wait for a hashing slot before it is refused
/// with `RATE_LIMITED`: under a login flood the server sheds load instead
/// of queueing without bound.
const QUEUE_TIMEOUT: Duration = Duration::from_secs(5);

/// Hashes and verifies passwords.
///
/// Each hash costs 19 MiB and two passes (OWASP's argon2id minimum), so it
/// runs on the blocking pool and at most `permits` run at once — by
/// default one per core. Waiters hold no thread.
#[derive(Debug, Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
}

impl PasswordHasher {
    pub fn new(max_concurrent: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
        }
    }

    /// The argon2id instance with OWASP's parameters (m = 19 MiB, t = 2, p = 1).
    fn argon2() -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::DEFAULT)
    }

    /// Returns the PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
    pub async fn hash(&self, password: SecretString) -> Result<String, AuthError> {
        self.run(move || {
            Self::argon2()
                .hash_password(password.expose_secret().as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| InternalError::Hashing(e.to_string()).into())
        })
        .await
    }

    /// True when `password` matches `phc`. With `phc = None` (no such
    /// user) it verifies against a fixed dummy hash and returns false, so
    /// both answers take the same time.
    pub async fn verify(
        &self,
        password: SecretString,
        phc: Option<String>,
    ) -> Result<bool, AuthError> {
        self.run(move || {
            let stored = match &phc {
                Some(phc) => phc.as_str(),
                None => dummy_hash()?,
            };
            let parsed = PasswordHash::new(stored)
                .map_err(|e| InternalError::Corrupt(format!("password hash: {e}")))?;
            let ok = Self::argon2()
                .verify_password(password.expose_secret().as_bytes(), &parsed)
                .is_ok();
            Ok(ok && phc.is_some())
        })
        .await
    }

    async fn run<T, F>(&self, work: F) -> Result<T, AuthError>
    where
        F: FnOnce() -> Result<T, AuthError> + Send + 'static,
        T: Send + 'static,
    {
        let permit = tokio::time::timeout(QUEUE_TIMEOUT, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| AuthError::Busy)?
            .map_err(|_| AuthError::Busy)?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(InternalError::from)?
    }
}

fn dummy_hash() -> Result<&'static str, AuthError> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(hash) = DUMMY.get() {
        return Ok(hash);
    }
    let hash = PasswordHasher::argon2()
        .hash_password(b"moneta-dummy-password-for-timing")
        .map_err(|e| InternalError::Hashing(e.to_string()))?
        .to_string();
    Ok(DUMMY.get_or_init(|| hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(s: &str) -> SecretString {
        SecretString::from(s.to_owned())
    }

    #[tokio::test]
    async fn hashes_with_argon2id_owasp_parameters_and_verifies() {
        let hasher = PasswordHasher::new(2);
        let phc = hasher.hash(secret("correct horse battery")).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(!phc.contains("correct horse"));
        assert!(
            hasher
                .verify(secret("correct horse battery"), Some(phc.clone()))
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify(secret("wrong horse"), Some(phc))
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn unknown_user_never_verifies() {
        let hasher = PasswordHasher::new(1);
        assert!(
            !hasher
                .verify(secret("moneta-dummy-password-for-timing"), None)
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn salts_differ_between_hashes() {
        let hasher = PasswordHasher::new(2);
        let a = hasher.hash(secret("same password!")).await.unwrap();
        let b = hasher.hash(secret("same password!")).await.unwrap();
        assert_ne!(a, b);
    }
}
