//! Implementations of `core`'s `JobQueue`: at-least-once delivery of sync
//! jobs to workers, and the dead letters of jobs that kept failing.
//!
//! - [`InProcessJobQueue`]: the embedded default, one process, in memory
//!   (jobs and dead letters do not survive a restart — neither does
//!   anything else in-process).
//! - [`RedisJobQueue`]: a Redis stream with one consumer group; an entry a
//!   dead consumer left unacknowledged is found with `XPENDING … IDLE` and
//!   taken over with `XCLAIM` (two commands, however many jobs are in
//!   flight); dead letters in a second stream.
//!
//! Both hand out, in order of preference: a delivery another consumer has
//! held unacknowledged, and not kept alive, for at least `reclaim_after`,
//! then the oldest new job. A consumer keeps the delivery it works on
//! alive (`keep_alive`, every third of `reclaim_after`: the consumers in
//! `workers` do), so `reclaim_after` bounds how long a dead worker's job
//! waits, not how long a job may run; a delivery not kept alive for longer
//! than that is processed twice (harmless, since a sync is idempotent, but
//! wasted). A failed delivery records its error (`record_failure`); the
//! last one goes with the job to the dead letters (`dead_letter`), where
//! `retry_dead_letter` takes it back into the queue as a new job.

#[cfg(test)]
mod contract;
mod memory;
mod redis;

pub use memory::InProcessJobQueue;
pub use redis::RedisJobQueue;

use moneta_core::error::InternalError;

/// The one place queue failures become `InternalError`.
pub(crate) fn queue_error(error: impl std::fmt::Display) -> InternalError {
    InternalError::Queue(error.to_string())
}
