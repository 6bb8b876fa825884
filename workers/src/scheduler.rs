//! Runs the registry's jobs on their schedules until shutdown.

use std::future::Future;
use std::time::Instant;

use tracing::Instrument as _;

use tokio_cron_scheduler::{Job, JobScheduler, JobSchedulerError};

use crate::jobs::ScheduledJob;
use crate::metrics::JobMetrics;

#[derive(Debug, thiserror::Error)]
pub enum SchedulerError {
    #[error("scheduler failed")]
    Scheduler(#[from] JobSchedulerError),
}

/// The cron scheduler of a worker process.
pub struct Scheduler {
    inner: JobScheduler,
}

impl std::fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Scheduler")
    }
}

impl Scheduler {
    /// Registers `jobs`; nothing runs until [`Scheduler::run_until`].
    pub async fn new<C>(
        ctx: C,
        jobs: Vec<ScheduledJob<C>>,
        metrics: JobMetrics,
    ) -> Result<Self, SchedulerError>
    where
        C: Clone + Send + Sync + 'static,
    {
        let inner = JobScheduler::new().await?;
        for job in jobs {
            let ctx = ctx.clone();
            let metrics = metrics.clone();
            let cron_job = Job::new_async(job.cron, move |_id, _scheduler| {
                let ctx = ctx.clone();
                let metrics = metrics.clone();
                let span = tracing::info_span!("job", otel.name = job.name, job = job.name);
                Box::pin(
                    async move {
                        tracing::info!(job = job.name, "job started");
                        let started = Instant::now();
                        let outcome = match (job.run)(ctx).await {
                            Ok(()) => {
                                tracing::info!(job = job.name, "job finished");
                                "ok"
                            }
                            Err(error) => {
                                tracing::error!(job = job.name, %error, "job failed");
                                "error"
                            }
                        };
                        metrics.observe(job.name, outcome, started.elapsed());
                    }
                    .instrument(span),
                )
            })?;
            inner.add(cron_job).await?;
            tracing::info!(job = job.name, cron = job.cron, "job scheduled");
        }
        Ok(Self { inner })
    }

    /// Runs the schedule until `shutdown` resolves, then stops it.
    pub async fn run_until(
        mut self,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), SchedulerError> {
        self.inner.start().await?;
        tracing::info!("scheduler started");
        shutdown.await;
        self.inner.shutdown().await?;
        tracing::info!("scheduler stopped");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::jobs::JobError;

    static RUNS: AtomicUsize = AtomicUsize::new(0);

    fn tick(_: ()) -> futures_util::future::BoxFuture<'static, Result<(), JobError>> {
        Box::pin(async {
            RUNS.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
    }

    #[tokio::test]
    async fn runs_registered_jobs_on_schedule_and_stops_on_shutdown() {
        let every_second = ScheduledJob {
            name: "tick",
            cron: "* * * * * *",
            run: tick,
            run_now: |_| Box::pin(async { Ok(0) }),
        };
        let scheduler = Scheduler::new((), vec![every_second], JobMetrics::unregistered().unwrap())
            .await
            .unwrap();
        let deadline = async {
            let started = tokio::time::Instant::now();
            while RUNS.load(Ordering::SeqCst) == 0
                && started.elapsed() < std::time::Duration::from_secs(10)
            {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        };
        scheduler.run_until(deadline).await.unwrap();
        assert!(RUNS.load(Ordering::SeqCst) >= 1);
    }

    #[test]
    fn the_registry_has_valid_cron_expressions() {
        for job in crate::jobs::registry() {
            assert!(
                tokio_cron_scheduler::Job::new_async(job.cron, |_, _| Box::pin(async {})).is_ok(),
                "{}: {}",
                job.name,
                job.cron
            );
        }
    }
}
