//! Rate limits: how often a key (an IP, an email) may do something.

use std::time::Duration;

use async_trait::async_trait;

use crate::error::InternalError;

#[async_trait]
pub trait RateLimiter: Send + Sync + std::fmt::Debug {
    /// Counts one hit on `key` in a fixed window of `window`. `None` when
    /// it is within `limit`; else how long until the window ends.
    async fn hit(
        &self,
        key: &str,
        limit: u32,
        window: Duration,
    ) -> Result<Option<Duration>, InternalError>;
}
