//! The refresh token retention job: deletes tokens a horizon after they
//! expired or were revoked (`moneta_core::retention::purge_refresh_tokens`);
//! daily.

use super::JobError;
use super::once::Period;
use crate::WorkerContext;

/// The job's name: metrics label and `moneta jobs run purge-refresh-tokens`.
pub const NAME: &str = "purge-refresh-tokens";

super::once::once_per_tick!(NAME, Period::Day, run);

/// Runs the rule now; returns how many rows went.
pub async fn run(ctx: &WorkerContext) -> Result<u64, JobError> {
    let deleted = ctx
        .retention_rules
        .purge_refresh_tokens(ctx.clock.now(), ctx.retention.refresh_tokens)
        .await?;
    ctx.metrics.retention_deleted(NAME, deleted);
    Ok(deleted)
}
