//! Sync one account (a queued job).

use moneta_core::InternalError;
use moneta_core::ports::SyncJob;
use moneta_core::sync::SyncOutcome;

use crate::WorkerContext;

/// The job's name in metrics and spans.
pub const NAME: &str = "sync-account";

pub async fn run(ctx: &WorkerContext, job: &SyncJob) -> Result<SyncOutcome, InternalError> {
    ctx.pipeline.run(job).await
}

/// The metrics label of an outcome.
pub fn outcome_label(outcome: &Result<SyncOutcome, InternalError>) -> &'static str {
    match outcome {
        Ok(SyncOutcome::Synced { .. }) => "synced",
        Ok(SyncOutcome::AlreadyRunning) => "already_running",
        Ok(SyncOutcome::AccountGone) => "account_gone",
        Ok(SyncOutcome::Failed(_)) => "failed",
        Ok(SyncOutcome::FromFiles) => "from_files",
        Err(_) => "error",
    }
}
