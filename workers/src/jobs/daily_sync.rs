//! The daily sync: queue a sync of every account of every user active in
//! the past 30 days.
//!
//! The scan survives its worker. Its tick fires every minute from 06:00
//! UTC (after most banks post the previous day) to the end of the day;
//! each tick either finds the day done, or the day's lease held by a
//! living scanner (renewed while it works, lapsing within
//! [`LEASE_TTL`] of its death), or takes the lease and resumes after the
//! last user of the last batch it queued — the day's checkpoint, saved
//! after each batch. A worker that dies mid-scan costs at most a re-queue
//! of one batch (a sync is idempotent), never the remaining users' day.

use std::time::Duration;

use futures_util::future::BoxFuture;
use moneta_core::UserId;
use moneta_core::ports::{SyncJob, SyncReason, hold_while};

use super::JobError;
use crate::WorkerContext;

/// The job's name: metrics label and `moneta jobs run daily-sync`.
pub const NAME: &str = "daily-sync";
/// Users read per batch of the scan.
const BATCH: u64 = 500;
/// Who counts as active.
const ACTIVE_DAYS: i64 = 30;
/// The day's scan lease, renewed every third of this while it runs.
pub const LEASE_TTL: Duration = Duration::from_secs(30);
/// How long a day's checkpoint is kept: past the day's last tick.
const CHECKPOINT_TTL: Duration = Duration::from_secs(36 * 3600);
/// The checkpoint of a finished day.
const DONE: &str = "done";

/// Where a day's scan stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Not started, or started and the last batch queued ended at this user.
    After(i64),
    Done,
}

impl Progress {
    fn parse(saved: Option<&str>) -> Self {
        match saved {
            Some(DONE) => Self::Done,
            Some(after) => after.parse().map_or(Self::After(0), Self::After),
            None => Self::After(0),
        }
    }
}

/// The checkpoint's name for `day` (`YYYY-MM-DD`).
pub fn checkpoint(day: &str) -> String {
    format!("{NAME}:{day}")
}

/// The cron entry: finishes today's scan unless it is done or running.
pub fn scheduled(ctx: WorkerContext) -> BoxFuture<'static, Result<(), JobError>> {
    Box::pin(async move { resume_today(&ctx).await.map(|_| ()) })
}

/// `moneta jobs run daily-sync`: a whole scan now, whoever else runs
/// (without the day's lease or checkpoint).
pub fn run_now(ctx: WorkerContext) -> BoxFuture<'static, Result<u64, JobError>> {
    Box::pin(async move { scan(&ctx, 0, BATCH, |_| async { Ok(()) }).await })
}

/// Takes today's lease and scans from today's checkpoint to the end;
/// returns how many syncs it queued (0 when the day is done, or another
/// worker holds the lease).
pub async fn resume_today(ctx: &WorkerContext) -> Result<u64, JobError> {
    resume_today_in_batches(ctx, BATCH).await
}

/// [`resume_today`] with batches of `batch` users (tests use small ones).
pub async fn resume_today_in_batches(ctx: &WorkerContext, batch: u64) -> Result<u64, JobError> {
    let day = ctx.clock.now().format("%Y-%m-%d").to_string();
    let name = checkpoint(&day);
    if Progress::parse(ctx.checkpoints.load(&name).await?.as_deref()) == Progress::Done {
        return Ok(0);
    }
    let lease_key = format!("{NAME}:{day}");
    let Some(lease) = ctx.leases.acquire(&lease_key, LEASE_TTL).await? else {
        tracing::debug!(%day, "daily sync running on another worker");
        return Ok(0);
    };
    // Read again under the lease: the previous holder may have finished.
    let after = match Progress::parse(ctx.checkpoints.load(&name).await?.as_deref()) {
        Progress::Done => return Ok(0),
        Progress::After(after) => after,
    };
    if after > 0 {
        tracing::info!(%day, after, "daily sync resumed from its checkpoint");
    }
    let save = |last: i64| {
        let name = name.clone();
        async move {
            ctx.checkpoints
                .save(&name, &last.to_string(), CHECKPOINT_TTL)
                .await
        }
    };
    let work = scan(ctx, after, batch, save);
    let Some(queued) = hold_while(ctx.leases.as_ref(), &lease_key, &lease, LEASE_TTL, work).await
    else {
        return Ok(0);
    };
    let queued = queued?;
    ctx.checkpoints.save(&name, DONE, CHECKPOINT_TTL).await?;
    if let Err(error) = ctx.leases.release(&lease_key, &lease).await {
        tracing::warn!(%error, "daily sync lease not released; it will expire");
    }
    Ok(queued)
}

/// Queues the accounts of active users with ids above `after`, `batch`
/// users at a time, calling `saved(last user id)` after each batch is
/// queued; returns how many syncs it queued.
async fn scan<F, Fut>(
    ctx: &WorkerContext,
    after: i64,
    batch: u64,
    saved: F,
) -> Result<u64, JobError>
where
    F: Fn(i64) -> Fut,
    Fut: std::future::Future<Output = Result<(), moneta_core::InternalError>>,
{
    let since = ctx.clock.now() - chrono::Duration::days(ACTIVE_DAYS);
    let mut after = after;
    let mut queued = 0_u64;
    loop {
        // Users being deleted are left out: nothing of theirs is synced again.
        let users = ctx
            .users
            .active_after(UserId::new(after), since, batch)
            .await?;
        let Some(&last) = users.last() else {
            break;
        };
        after = last.get();
        let rows = ctx.accounts.of_users(&users).await?;
        for (user, account_id) in rows {
            ctx.queue
                .enqueue(&SyncJob {
                    user_id: user.get(),
                    account_id,
                    reason: SyncReason::Daily,
                })
                .await?;
            queued += 1;
        }
        saved(after).await?;
        moneta_core::crash_point!("daily_sync.batch.saved");
        if (users.len() as u64) < batch {
            break;
        }
    }
    tracing::info!(queued, "daily sync queued");
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_reads_what_was_saved() {
        assert_eq!(Progress::parse(None), Progress::After(0));
        assert_eq!(Progress::parse(Some("12345")), Progress::After(12345));
        assert_eq!(Progress::parse(Some("done")), Progress::Done);
        // A damaged checkpoint costs a re-scan, never a skipped day.
        assert_eq!(Progress::parse(Some("garbage")), Progress::After(0));
    }
}
