//! The job queue: at-least-once delivery of sync jobs to workers.

use std::time::Duration;

use async_trait::async_trait;
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
}

#[async_trait]
pub trait JobQueue: Send + Sync + std::fmt::Debug {
    /// Adds a job. Returns once the queue has it durably (Redis: XADD).
    async fn enqueue(&self, job: &SyncJob) -> Result<(), InternalError>;

    /// The next job for `consumer`: first a job another consumer took but
    /// has not acknowledged for longer than the reclaim timeout, else a new
    /// one, waiting up to `wait`. `None` when there is nothing to do.
    async fn next(&self, consumer: &str, wait: Duration)
    -> Result<Option<Delivery>, InternalError>;

    /// Marks a delivery done; it will not be delivered again.
    async fn ack(&self, delivery: &Delivery) -> Result<(), InternalError>;

    /// Jobs waiting or in flight (for metrics).
    async fn depth(&self) -> Result<u64, InternalError>;
}
