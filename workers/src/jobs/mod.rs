//! Jobs. Each is a function in a file of its own; scheduled ones are
//! listed in [`registry`] with their cron expression.

pub mod daily_sync;
mod once;
pub mod purge_notifications;
pub mod purge_refresh_tokens;
pub mod release_email_claims;
pub mod resume_erasures;
pub mod sweep_spending;
pub mod sync_account;

use futures_util::future::BoxFuture;

use crate::WorkerContext;

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Internal(#[from] moneta_core::InternalError),
    #[error(transparent)]
    Retention(#[from] moneta_core::retention::RetentionError),
}

/// A job the scheduler runs on a cron schedule (UTC), given a `C`.
#[derive(Debug, Clone, Copy)]
pub struct ScheduledJob<C = WorkerContext> {
    /// Stable name: metrics label and `moneta jobs run <name>`.
    pub name: &'static str,
    /// Six-field cron expression (seconds first), UTC.
    pub cron: &'static str,
    pub run: fn(C) -> BoxFuture<'static, Result<(), JobError>>,
    /// Runs it once now, without the tick's lease (`moneta jobs run`);
    /// returns how many items it handled.
    pub run_now: fn(C) -> BoxFuture<'static, Result<u64, JobError>>,
}

/// Every scheduled job.
pub fn registry() -> Vec<ScheduledJob> {
    vec![
        ScheduledJob {
            name: daily_sync::NAME,
            // From 06:00 UTC (after most banks post the previous day), every
            // minute to the end of the day: a tick finds the day done, or
            // running, or resumes a scan whose worker died.
            cron: "0 * 6-23 * * *",
            run: daily_sync::scheduled,
            run_now: daily_sync::run_now,
        },
        ScheduledJob {
            name: purge_refresh_tokens::NAME,
            // 03:10 UTC: the quiet hours, well before the daily sync.
            cron: "0 10 3 * * *",
            run: purge_refresh_tokens::scheduled,
            run_now: purge_refresh_tokens::run_now,
        },
        ScheduledJob {
            name: purge_notifications::NAME,
            cron: "0 40 3 * * *",
            run: purge_notifications::scheduled,
            run_now: purge_notifications::run_now,
        },
        ScheduledJob {
            name: release_email_claims::NAME,
            // Hourly: an address lost to a failed registration comes back
            // within the horizon and an hour.
            cron: "0 25 * * * *",
            run: release_email_claims::scheduled,
            run_now: release_email_claims::run_now,
        },
        ScheduledJob {
            name: resume_erasures::NAME,
            // Hourly: a deletion that stopped half-way finishes within
            // the grace period and an hour.
            cron: "0 50 * * * *",
            run: resume_erasures::scheduled,
            run_now: resume_erasures::run_now,
        },
        ScheduledJob {
            name: sweep_spending::NAME,
            // Every minute: a change whose process died is settled within
            // the sweep horizon and a minute.
            cron: "0 * * * * *",
            run: sweep_spending::scheduled,
            run_now: sweep_spending::run_now,
        },
    ]
}

/// The scheduled job named `name`.
pub fn find(name: &str) -> Option<ScheduledJob> {
    registry().into_iter().find(|job| job.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_names_are_unique_and_found() {
        let names: Vec<&str> = registry().iter().map(|j| j.name).collect();
        let unique: std::collections::BTreeSet<&str> = names.iter().copied().collect();
        assert_eq!(unique.len(), names.len(), "{names:?}");
        for name in names {
            assert_eq!(find(name).map(|j| j.name), Some(name));
        }
        assert!(find("no-such-job").is_none());
    }
}
