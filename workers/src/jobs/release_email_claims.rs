//! The email claim job: releases the claims of registrations that died
//! between claim and user insert
//! (`moneta_core::retention::release_abandoned_email_claims`); hourly.

use super::JobError;
use super::once::Period;
use crate::WorkerContext;

/// The job's name: metrics label and `moneta jobs run release-email-claims`.
pub const NAME: &str = "release-email-claims";

super::once::once_per_tick!(NAME, Period::Hour, run);

/// Runs the rule now; returns how many rows went.
pub async fn run(ctx: &WorkerContext) -> Result<u64, JobError> {
    let deleted = ctx
        .retention_rules
        .release_abandoned_email_claims(ctx.clock.now(), ctx.retention.email_claims)
        .await?;
    ctx.metrics.retention_deleted(NAME, deleted);
    Ok(deleted)
}
