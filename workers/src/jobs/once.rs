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
    Minute,
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
        Period::Minute => (now.format("%Y-%m-%dT%H:%M"), Duration::from_secs(50)),
    };
    let tick = tick.to_string();
    let lease = ctx.leases.acquire(&format!("{job}:{tick}"), hold).await?;
    if lease.is_none() {
        tracing::info!(job, %tick, "already run by another worker");
    }
    Ok(lease.is_some())
}

/// The two entry points of a job that runs once per `Period` tick: the
/// cron entry `scheduled` (one replica per tick) and `run_now` for
/// `moneta jobs run` (now, whoever else runs). `$run` is the job's
/// `async fn run(&WorkerContext) -> Result<u64, JobError>`.
macro_rules! once_per_tick {
    ($name:expr, $period:expr, $run:path) => {
        /// The cron entry: one replica per tick.
        pub fn scheduled(
            ctx: $crate::WorkerContext,
        ) -> futures_util::future::BoxFuture<'static, Result<(), super::JobError>> {
            Box::pin(async move {
                if super::once::first_this_tick(&ctx, $name, $period).await? {
                    $run(&ctx).await?;
                }
                Ok(())
            })
        }

        /// `moneta jobs run <name>`: runs now, whoever else runs.
        pub fn run_now(
            ctx: $crate::WorkerContext,
        ) -> futures_util::future::BoxFuture<'static, Result<u64, super::JobError>> {
            Box::pin(async move { $run(&ctx).await })
        }
    };
}
pub(crate) use once_per_tick;
