//! One replica per tick: every worker replica's scheduler fires the same
//! cron entry; the first to take the tick's lease runs it, the others
//! skip. The lease is named after the tick and left to expire.

use std::time::Duration;

use super::JobError;
use crate::WorkerContext;

/// How often a job runs, which names its ticks.
#[derive(Debug, Clone, Copy)]
pub enum Period {
    Day,
    Hour,
}

/// True for the one caller that gets to run `job`'s current tick.
pub async fn first_this_tick(
    ctx: &WorkerContext,
    job: &str,
    period: Period,
) -> Result<bool, JobError> {
    let now = ctx.clock.now();
    let (tick, hold) = match period {
        Period::Day => (now.format("%Y-%m-%d"), Duration::from_secs(6 * 3600)),
        Period::Hour => (now.format("%Y-%m-%dT%H"), Duration::from_secs(30 * 60)),
    };
    let tick = tick.to_string();
    let lease = ctx.leases.acquire(&format!("{job}:{tick}"), hold).await?;
    if lease.is_none() {
        tracing::info!(job, %tick, "already run by another worker");
    }
    Ok(lease.is_some())
}
