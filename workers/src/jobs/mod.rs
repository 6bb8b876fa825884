//! Scheduled jobs. Each is `async fn run(ctx) -> Result<(), JobError>` in a
//! file of its own, listed in [`registry`] with its cron expression. The
//! registry is empty until the extraction pipeline adds `daily-sync`.

use futures_util::future::BoxFuture;

use crate::WorkerContext;

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Internal(#[from] moneta_core::InternalError),
}

/// A job the scheduler runs on a cron schedule (UTC).
#[derive(Debug, Clone, Copy)]
pub struct ScheduledJob {
    /// Stable name: metrics label and `moneta jobs run <name>`.
    pub name: &'static str,
    /// Six-field cron expression (seconds first), UTC.
    pub cron: &'static str,
    pub run: fn(WorkerContext) -> BoxFuture<'static, Result<(), JobError>>,
}

/// Every scheduled job.
pub fn registry() -> Vec<ScheduledJob> {
    Vec::new()
}
