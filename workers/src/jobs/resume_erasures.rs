//! Finishes account deletions that stopped half-way (a crash, a lost
//! database connection): `deleteMe` marks the user and erases in the
//! request; a user row still marked a while later is an erasure to
//! finish (`moneta_core::users::Erasure::resume_unfinished`); hourly.

use chrono::Duration;

use super::JobError;
use super::once::Period;
use crate::WorkerContext;

/// The job's name: metrics label and `moneta jobs run resume-erasures`.
pub const NAME: &str = "resume-erasures";

/// Erasures younger than this may still be running in their request.
pub const GRACE: Duration = Duration::minutes(15);

super::once::once_per_tick!(NAME, Period::Hour, run);

/// Finishes the erasures marked before the grace period; returns how many.
pub async fn run(ctx: &WorkerContext) -> Result<u64, JobError> {
    let finished = ctx
        .erasure
        .resume_unfinished(ctx.clock.now() - GRACE)
        .await?;
    tracing::info!(finished, "unfinished erasures resumed");
    Ok(finished)
}
