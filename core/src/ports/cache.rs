//! A key-value store with expiry, for the read cache (Redis in a cluster,
//! in-process memory in the embedded default).

use std::time::Duration;

use async_trait::async_trait;

use crate::error::InternalError;

#[async_trait]
pub trait CacheStore: Send + Sync + std::fmt::Debug {
    /// The value under `key`, if it exists and has not expired.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, InternalError>;

    /// The values under `first` and `second`. Both keys carry the same
    /// Redis Cluster hash tag; a networked store reads them in one round
    /// trip (`MGET`), an in-process one may just read each.
    async fn get_pair(
        &self,
        first: &str,
        second: &str,
    ) -> Result<(Option<Vec<u8>>, Option<Vec<u8>>), InternalError> {
        Ok((self.get(first).await?, self.get(second).await?))
    }

    /// Stores `value` under `key` for `ttl`, replacing what was there.
    async fn set(&self, key: &str, value: Vec<u8>, ttl: Duration) -> Result<(), InternalError>;

    /// Deletes every key that starts with `prefix` (`cache:{u<id>}:`: a
    /// user's erasure, which must not wait for expiry); returns how many.
    /// `prefix` carries a Redis Cluster hash tag, so its keys share a slot.
    async fn delete_prefix(&self, prefix: &str) -> Result<u64, InternalError>;
}
