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
