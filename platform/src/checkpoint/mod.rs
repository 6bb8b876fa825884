//! Implementations of `core`'s `Checkpoints`: how far a long scan got.
//!
//! - [`InProcessCheckpoints`]: the embedded default, a map in memory.
//! - [`RedisCheckpoints`]: `SET <prefix>:checkpoint:<name> <value> PX <ttl>`.

mod memory;
mod redis;

pub use memory::InProcessCheckpoints;
pub use redis::RedisCheckpoints;

use moneta_core::error::InternalError;

/// The one place checkpoint failures become `InternalError`.
pub(crate) fn checkpoint_error(error: impl std::fmt::Display) -> InternalError {
    InternalError::Queue(format!("checkpoint: {error}"))
}
