//! The refresh token retention job: deletes tokens a horizon after they
//! expired or were revoked (`moneta_core::retention::purge_refresh_tokens`);
//! daily.

use futures_util::future::BoxFuture;
use moneta_core::retention::purge_refresh_tokens;

use super::JobError;
use super::once::{Period, first_this_tick};
use crate::WorkerContext;

/// The job's name: metrics label and `moneta jobs run purge-refresh-tokens`.
pub const NAME: &str = "purge-refresh-tokens";

/// The cron entry: one replica per tick.
pub fn scheduled(ctx: WorkerContext) -> BoxFuture<'static, Result<(), JobError>> {
    Box::pin(async move {
        if first_this_tick(&ctx, NAME, Period::Day).await? {
            run(&ctx).await?;
        }
        Ok(())
    })
}

/// `moneta jobs run purge-refresh-tokens`: runs now, whoever else runs.
pub fn run_now(ctx: WorkerContext) -> BoxFuture<'static, Result<u64, JobError>> {
    Box::pin(async move { run(&ctx).await })
}

/// Runs the rule now; returns how many rows went.
pub async fn run(ctx: &WorkerContext) -> Result<u64, JobError> {
    let deleted =
        purge_refresh_tokens(&ctx.db, ctx.clock.now(), ctx.retention.refresh_tokens).await?;
    ctx.metrics.retention_deleted(NAME, deleted);
    Ok(deleted)
}
