//! Jobs. Each is a function in a file of its own; scheduled ones are
//! listed in [`registry`] with their cron expression.

pub mod daily_sync;
pub mod sync_account;

use futures_util::future::BoxFuture;

use crate::WorkerContext;

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Internal(#[from] moneta_core::InternalError),
}

/// A job the scheduler runs on a cron schedule (UTC), given a `C`.
#[derive(Debug, Clone, Copy)]
pub struct ScheduledJob<C = WorkerContext> {
    /// Stable name: metrics label and `moneta jobs run <name>`.
    pub name: &'static str,
    /// Six-field cron expression (seconds first), UTC.
    pub cron: &'static str,
    pub run: fn(C) -> BoxFuture<'static, Result<(), JobError>>,
}

/// Every scheduled job.
pub fn registry() -> Vec<ScheduledJob> {
    vec![ScheduledJob {
        name: "daily-sync",
        // 06:00 UTC: after most banks post the previous day.
        cron: "0 0 6 * * *",
        run: daily_sync::scheduled,
    }]
}
