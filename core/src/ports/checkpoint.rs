//! Checkpoints: how far a long scan got, shared by every replica, so that
//! another can finish what a dead one started.

use std::time::Duration;

use async_trait::async_trait;

use crate::error::InternalError;

#[async_trait]
pub trait Checkpoints: Send + Sync + std::fmt::Debug {
    /// The checkpoint `name`, if saved and not expired.
    async fn load(&self, name: &str) -> Result<Option<String>, InternalError>;

    /// Saves `value` as the checkpoint `name`, kept for `ttl`.
    async fn save(&self, name: &str, value: &str, ttl: Duration) -> Result<(), InternalError>;
}
