//! The email claim job: releases the claims of registrations that died
//! between claim and user insert
//! (`moneta_core::retention::release_abandoned_email_claims`); hourly.

use futures_util::future::BoxFuture;
use moneta_core::retention::release_abandoned_email_claims;

use super::JobError;
use super::once::{Period, first_this_tick};
use crate::WorkerContext;

/// The job's name: metrics label and `moneta jobs run release-email-claims`.
pub const NAME: &str = "release-email-claims";

/// The cron entry: one replica per tick.
pub fn scheduled(ctx: WorkerContext) -> BoxFuture<'static, Result<(), JobError>> {
    Box::pin(async move {
        if first_this_tick(&ctx, NAME, Period::Hour).await? {
            run(&ctx).await?;
        }
        Ok(())
    })
}

/// `moneta jobs run release-email-claims`: runs now, whoever else runs.
pub fn run_now(ctx: WorkerContext) -> BoxFuture<'static, Result<u64, JobError>> {
    Box::pin(async move { run(&ctx).await })
}

/// Runs the rule now; returns how many rows went.
pub async fn run(ctx: &WorkerContext) -> Result<u64, JobError> {
    let deleted =
        release_abandoned_email_claims(&ctx.db, ctx.clock.now(), ctx.retention.email_claims)
            .await?;
    ctx.metrics.retention_deleted(NAME, deleted);
    Ok(deleted)
}
