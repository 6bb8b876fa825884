//! Where raw institution pages are kept, exactly as received, for audit
//! and replay (the seed's "raw logs").

use async_trait::async_trait;

use crate::error::InternalError;

#[async_trait]
pub trait RawPageStore: Send + Sync + std::fmt::Debug {
    /// Stores `bytes` at `path` (e.g. `raw/<user>/<account>/<sync>/0001.json`),
    /// replacing what was there.
    async fn put(&self, path: &str, bytes: Vec<u8>) -> Result<(), InternalError>;

    /// Reads back what is at `path` (for tests and replay).
    async fn get(&self, path: &str) -> Result<Option<Vec<u8>>, InternalError>;

    /// Deletes every page under the folder `prefix` (`raw/<user>/`: a
    /// user's erasure); returns how many. Deleting nothing is not an error.
    async fn delete_prefix(&self, prefix: &str) -> Result<u64, InternalError>;
}
