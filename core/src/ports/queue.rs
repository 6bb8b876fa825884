//! The job queue: at-least-once delivery of sync jobs to workers, and the
//! dead letters of jobs that kept failing.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::InternalError;

/// Why a sync was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncReason {
    Link,
    Refresh,
    Daily,
}

impl SyncReason {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Link => "link",
            Self::Refresh => "refresh",
            Self::Daily => "daily",
        }
    }
}

/// Sync one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncJob {
    pub user_id: i64,
    pub account_id: i64,
    pub reason: SyncReason,
}

/// A job handed to one consumer. Until it is acknowledged it stays
/// pending; a consumer that dies leaves it to be reclaimed by another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The queue's id of this entry (a Redis stream id).
    pub id: String,
    pub job: SyncJob,
    /// How many times it has been delivered, this time included.
    pub deliveries: u64,
    /// The consumer it was handed to (the one [`JobQueue::keep_alive`]
    /// keeps it for).
    pub consumer: String,
}

/// A job taken out of circulation after its last allowed delivery failed.
/// It stays until an operator retries it (`moneta jobs dead-letter retry`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    /// Its id among the dead letters (what `retry` takes).
    pub id: String,
    pub job: SyncJob,
    /// Deliveries it had.
    pub deliveries: u64,
    /// What its last failed delivery recorded; `None` when no delivery
    /// recorded one (its workers stopped mid-job, every time).
    pub last_error: Option<String>,
    /// When it was dead-lettered.
    pub at: DateTime<Utc>,
}

#[async_trait]
pub trait JobQueue: Send + Sync + std::fmt::Debug {
    /// Adds a job. Returns once the queue has it durably (Redis: XADD).
    async fn enqueue(&self, job: &SyncJob) -> Result<(), InternalError>;

    /// The next job for `consumer`: first a job another consumer took but
    /// has not acknowledged (nor kept alive) for longer than the reclaim
    /// timeout, else a new one, waiting up to `wait`. `None` when there is
    /// nothing to do.
    ///
    /// Cancel-safe: a call dropped before it returns loses no job (one it
    /// had taken stays pending, and is reclaimed after the timeout).
    async fn next(&self, consumer: &str, wait: Duration)
    -> Result<Option<Delivery>, InternalError>;

    /// How long an unacknowledged delivery waits before another consumer
    /// may reclaim it. A consumer keeps a long job of its own alive well
    /// within it ([`JobQueue::keep_alive`]).
    fn reclaim_after(&self) -> Duration;

    /// Restarts the reclaim timeout of a delivery its consumer is still
    /// working on. `false` when the consumer no longer holds it (it was
    /// reclaimed by another, or acknowledged): nothing is changed then.
    async fn keep_alive(&self, delivery: &Delivery) -> Result<bool, InternalError>;

    /// Records why a delivery failed (the entry stays pending, to be
    /// retried); the last one recorded goes with the job if it is
    /// dead-lettered. Forgotten when the entry is acknowledged.
    async fn record_failure(&self, delivery: &Delivery, error: &str) -> Result<(), InternalError>;

    /// Marks a delivery done; it will not be delivered again.
    async fn ack(&self, delivery: &Delivery) -> Result<(), InternalError>;

    /// Moves a delivery to the dead letters (with its delivery count, its
    /// last recorded failure and `at`): it is no longer delivered.
    async fn dead_letter(
        &self,
        delivery: &Delivery,
        at: DateTime<Utc>,
    ) -> Result<(), InternalError>;

    /// Every dead letter, oldest first.
    async fn dead_letters(&self) -> Result<Vec<DeadLetter>, InternalError>;

    /// Queues the job of the dead letter `id` again (as a new job, its
    /// delivery count starting over) and removes the dead letter. `false`
    /// when there is no dead letter `id` (whatever `id` is).
    async fn retry_dead_letter(&self, id: &str) -> Result<bool, InternalError>;

    /// Jobs waiting or in flight (for metrics).
    async fn depth(&self) -> Result<u64, InternalError>;
}
