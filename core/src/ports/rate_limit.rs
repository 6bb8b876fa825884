//! Rate limits: how often a key (an IP, an email) may do something.
//!
//! Fixed windows: the first count on a key opens a window of the given
//! length; counts add up until it ends.

use std::time::Duration;

use async_trait::async_trait;

use crate::error::InternalError;

/// A key's open window: how many counts it holds and when it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub count: u32,
    pub resets_in: Duration,
}

#[async_trait]
pub trait RateLimiter: Send + Sync + std::fmt::Debug {
    /// Counts one on `key`, opening a window of `window` if none is open;
    /// the window after this count.
    async fn count(&self, key: &str, window: Duration) -> Result<Window, InternalError>;

    /// `key`'s open window, without counting; `None` when none is open.
    async fn peek(&self, key: &str) -> Result<Option<Window>, InternalError>;

    /// Closes `key`'s window (the next count opens a new one).
    async fn clear(&self, key: &str) -> Result<(), InternalError>;

    /// Counts one hit on `key` in a fixed window of `window`. `None` when
    /// it is within `limit`; else how long until the window ends.
    async fn hit(
        &self,
        key: &str,
        limit: u32,
        window: Duration,
    ) -> Result<Option<Duration>, InternalError> {
        let open = self.count(key, window).await?;
        Ok((open.count > limit).then_some(open.resets_in))
    }
}
