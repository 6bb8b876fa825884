//! Sign-in throttling that no stranger can turn against the owner.
//!
//! OWASP (Authentication Cheat Sheet, "Account Lockout"; "Blocking Brute
//! Force Attacks") warns that locking an account after N failures lets
//! anyone lock its owner out, and recommends progressive (exponential)
//! lockout instead: the wait after a failure starts at a second and
//! doubles with each further failure. So failures are counted per
//! (email, client), where the guessing happens, and that pair waits; the
//! owner, from their own client, never shares the stranger's count:
//!
//! - every attempt counts per client: [`LOGIN_PER_IP`] stops a flood
//!   from one place;
//! - failures count per (email, client): the first
//!   [`LOGIN_FREE_FAILURES`] are free, then each failure makes that pair
//!   wait [`backoff`] — 1 s, 2 s, 4 s … up to [`LOGIN_MAX_BACKOFF`] —
//!   answered RATE_LIMITED with `retryAfter` before the password is
//!   checked (a refused attempt costs no hash); a success clears it;
//! - failures count per email alone only toward a ceiling,
//!   [`LOGIN_FAILURES_PER_EMAIL`], far above what one client can reach
//!   and meant for a distributed attack: past it, the account's sign-ins
//!   wait for the window's end.
//!
//! We refuse with `retryAfter` rather than delay the answer: a held
//! answer is no limit for a client that sends attempts in parallel.
//! Emails are keyed by a hash (no addresses in Redis key names).

use std::net::IpAddr;
use std::time::Duration;

use moneta_core::InternalError;
use moneta_core::ports::RateLimiter;
use sha2::{Digest as _, Sha256};

use crate::graphql::limits::{
    LOGIN_FAILURE_WINDOW_SECS, LOGIN_FAILURES_PER_EMAIL, LOGIN_FREE_FAILURES, LOGIN_MAX_BACKOFF,
    LOGIN_PER_IP,
};

/// The wait after the `failures`-th failure of one (email, client) pair
/// within the window: none for the free ones, then 1 s doubling, capped.
pub fn backoff(failures: u32) -> Option<Duration> {
    let beyond = failures.checked_sub(LOGIN_FREE_FAILURES + 1)?;
    let seconds = 1u64.checked_shl(beyond.min(63)).unwrap_or(u64::MAX);
    Some(Duration::from_secs(seconds).min(LOGIN_MAX_BACKOFF))
}

/// One sign-in attempt's throttle keys.
pub struct LoginThrottle<'a> {
    limiter: &'a dyn RateLimiter,
    client: String,
    email: String,
}

impl<'a> LoginThrottle<'a> {
    pub fn new(limiter: &'a dyn RateLimiter, email: &str, client: Option<IpAddr>) -> Self {
        let digest = Sha256::digest(moneta_core::auth::normalize_email(email).as_bytes());
        let email = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
        Self {
            limiter,
            client: client.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string()),
            email,
        }
    }

    fn failures_key(&self) -> String {
        format!("login:fail:{}:{}", self.email, self.client)
    }

    fn hold_key(&self) -> String {
        format!("login:hold:{}:{}", self.email, self.client)
    }

    fn email_key(&self) -> String {
        format!("login:email-fail:{}", self.email)
    }

    /// Counts the attempt; `Some(wait)` when it must be refused.
    pub async fn admit(&self) -> Result<Option<Duration>, InternalError> {
        let (limit, window) = LOGIN_PER_IP;
        let per_client = format!("login:ip:{}", self.client);
        if let Some(wait) = self
            .limiter
            .hit(&per_client, limit, Duration::from_secs(window))
            .await?
        {
            return Ok(Some(wait));
        }
        if let Some(open) = self.limiter.peek(&self.email_key()).await?
            && open.count >= LOGIN_FAILURES_PER_EMAIL
        {
            tracing::warn!("sign-ins of one account refused: failure ceiling reached");
            return Ok(Some(open.resets_in));
        }
        Ok(self
            .limiter
            .peek(&self.hold_key())
            .await?
            .map(|hold| hold.resets_in))
    }

    /// Records a wrong password (or unknown email).
    pub async fn failed(&self) -> Result<(), InternalError> {
        let window = Duration::from_secs(LOGIN_FAILURE_WINDOW_SECS);
        let failures = self.limiter.count(&self.failures_key(), window).await?;
        if let Some(wait) = backoff(failures.count) {
            // A new hold, as long as this failure's backoff.
            self.limiter.clear(&self.hold_key()).await?;
            self.limiter.count(&self.hold_key(), wait).await?;
        }
        self.limiter.count(&self.email_key(), window).await?;
        Ok(())
    }

    /// Records a success: this client starts afresh.
    pub async fn succeeded(&self) -> Result<(), InternalError> {
        self.limiter.clear(&self.failures_key()).await?;
        self.limiter.clear(&self.hold_key()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_failures_then_a_doubling_wait_with_a_cap() {
        for n in 0..=LOGIN_FREE_FAILURES {
            assert_eq!(backoff(n), None, "{n}");
        }
        let waits: Vec<u64> = (LOGIN_FREE_FAILURES + 1..LOGIN_FREE_FAILURES + 6)
            .map(|n| backoff(n).unwrap().as_secs())
            .collect();
        assert_eq!(waits, [1, 2, 4, 8, 16]);
        assert_eq!(backoff(LOGIN_FREE_FAILURES + 40), Some(LOGIN_MAX_BACKOFF));
        assert_eq!(backoff(u32::MAX), Some(LOGIN_MAX_BACKOFF));
    }
}
