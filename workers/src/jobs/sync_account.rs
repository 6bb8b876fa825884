//! Sync one account (a queued job).

use moneta_core::InternalError;
use moneta_core::ports::SyncJob;
use moneta_core::sync::SyncOutcome;

use crate::WorkerContext;

pub async fn run(ctx: &WorkerContext, job: &SyncJob) -> Result<SyncOutcome, InternalError> {
    ctx.pipeline.run(job).await
}
