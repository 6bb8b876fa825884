//! The sweeper: settles the follow-up work ("spending changed":
//! recompute → invalidate → evaluate alerts) that a process recorded with
//! its change and did not live to carry out (`moneta_core::spending::FollowUp`);
//! every minute, one replica per tick.

use super::JobError;
use super::once::Period;
use crate::WorkerContext;

/// The job's name: metrics label and `moneta jobs run sweep-spending`.
pub const NAME: &str = "sweep-spending";

super::once::once_per_tick!(NAME, Period::Minute, run);

/// Settles the records older than the sweep horizon; returns how many
/// users it settled.
pub async fn run(ctx: &WorkerContext) -> Result<u64, JobError> {
    Ok(ctx.pipeline.follow_up.sweep(ctx.sweep_after).await?)
}
