//! The notification retention job: deletes read sync notifications and
//! budget alerts past their horizons
//! (`moneta_core::retention::purge_notifications`); daily.

use super::JobError;
use super::once::Period;
use crate::WorkerContext;

/// The job's name: metrics label and `moneta jobs run purge-notifications`.
pub const NAME: &str = "purge-notifications";

super::once::once_per_tick!(NAME, Period::Day, run);

/// Runs the rule now; returns how many rows went.
pub async fn run(ctx: &WorkerContext) -> Result<u64, JobError> {
    let deleted = ctx
        .retention_rules
        .purge_notifications(
            ctx.clock.now(),
            ctx.retention.read_sync_notifications,
            ctx.retention.budget_alerts,
        )
        .await?;
    ctx.metrics.retention_deleted(NAME, deleted);
    Ok(deleted)
}
