//! Leases: "at most one holder at a time", expiring if the holder dies.

use std::time::Duration;

use async_trait::async_trait;

use crate::error::InternalError;

/// Proof of holding a lease; needed to release it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseToken(pub String);

#[async_trait]
pub trait Leases: Send + Sync + std::fmt::Debug {
    /// Takes the lease `key` for `ttl` if nobody holds it.
    async fn acquire(&self, key: &str, ttl: Duration) -> Result<Option<LeaseToken>, InternalError>;

    /// Extends the lease `key` to `ttl` from now if `token` still holds
    /// it; `false` when it expired and was taken, or is gone.
    async fn renew(
        &self,
        key: &str,
        token: &LeaseToken,
        ttl: Duration,
    ) -> Result<bool, InternalError>;

    /// Gives the lease back, if `token` still holds it (an expired lease
    /// that someone else took is left alone).
    async fn release(&self, key: &str, token: &LeaseToken) -> Result<(), InternalError>;
}

/// Runs `work` while holding the lease `key` (taken as `token` for `ttl`),
/// renewing it every third of `ttl`, so that it lapses within `ttl` of
/// its holder dying and never while the holder works. `None` when the
/// lease was lost (expired and taken by another holder, e.g. after a long
/// pause): `work` is then dropped at its next await, since someone else
/// now does it. A renewal that fails to reach the leases is retried: then
/// nobody else can take the lease either.
pub async fn hold_while<F: std::future::Future>(
    leases: &dyn Leases,
    key: &str,
    token: &LeaseToken,
    ttl: Duration,
    work: F,
) -> Option<F::Output> {
    let renew = async {
        let mut tick = tokio::time::interval(ttl / 3);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await; // The first tick is immediate.
        loop {
            tick.tick().await;
            match leases.renew(key, token, ttl).await {
                Ok(true) => {}
                Ok(false) => return,
                Err(error) => tracing::warn!(key, %error, "could not renew a lease; retrying"),
            }
        }
    };
    tokio::select! {
        output = work => Some(output),
        () = renew => {
            tracing::warn!(key, "lease lost while its holder worked; stopping");
            None
        }
    }
}
