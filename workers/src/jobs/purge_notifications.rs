//! The notification retention job: deletes read sync notifications and
//! budget alerts past their horizons
//! (`moneta_core::retention::purge_notifications`); daily.

use futures_util::future::BoxFuture;
use moneta_core::retention::purge_notifications;

use super::JobError;
use super::once::{Period, first_this_tick};
use crate::WorkerContext;

/// The job's name: metrics label and `moneta jobs run purge-notifications`.
pub const NAME: &str = "purge-notifications";

/// The cron entry: one replica per tick.
pub fn scheduled(ctx: WorkerContext) -> BoxFuture<'static, Result<(), JobError>> {
    Box::pin(async move {
        if first_this_tick(&ctx, NAME, Period::Day).await? {
            run(&ctx).await?;
        }
        Ok(())
    })
}

/// `moneta jobs run purge-notifications`: runs now, whoever else runs.
pub fn run_now(ctx: WorkerContext) -> BoxFuture<'static, Result<u64, JobError>> {
    Box::pin(async move { run(&ctx).await })
}

/// Runs the rule now; returns how many rows went.
pub async fn run(ctx: &WorkerContext) -> Result<u64, JobError> {
    let deleted = purge_notifications(
        &ctx.db,
        ctx.clock.now(),
        ctx.retention.read_sync_notifications,
        ctx.retention.budget_alerts,
    )
    .await?;
    ctx.metrics.retention_deleted(NAME, deleted);
    Ok(deleted)
}
