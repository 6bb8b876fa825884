//! Implementations of `core`'s `JobQueue`: at-least-once delivery of sync
//! jobs to workers.
//!
//! - [`InProcessJobQueue`]: the embedded default, one process, in memory
//!   (jobs do not survive a restart — neither does anything else in-process).
//! - [`RedisJobQueue`]: a Redis stream with one consumer group; entries a
//!   dead consumer left unacknowledged are reclaimed with `XAUTOCLAIM`.
//!
//! Both hand out, in order of preference: a delivery another consumer has
//! held unacknowledged for at least `reclaim_after`, then the oldest new job.
//! `reclaim_after` must exceed the longest a healthy consumer takes to
//! process a job, or jobs get processed twice (harmless, since a sync is
//! idempotent, but wasted).

mod memory;
mod redis;

pub use memory::InProcessJobQueue;
pub use redis::RedisJobQueue;

use moneta_core::error::InternalError;

/// The one place queue failures become `InternalError`.
pub(crate) fn queue_error(error: impl std::fmt::Display) -> InternalError {
    InternalError::Queue(error.to_string())
}
