//! Sync consumers: take jobs from the queue, run them, acknowledge them.
//!
//! At-least-once: a job is acknowledged only after the pipeline returned
//! an outcome; an infrastructure error leaves it pending, to be reclaimed
//! (by this or another worker) once the reclaim timeout passes. The
//! pipeline is idempotent, so a job run twice changes nothing the second
//! time.

use std::time::{Duration, Instant};

use tokio::sync::watch;

use tracing::Instrument as _;

use crate::WorkerContext;
use crate::jobs::sync_account;

/// How long one `next` call waits for a job before checking for shutdown.
const POLL: Duration = Duration::from_secs(1);
/// A job that failed this many deliveries is dropped (acknowledged and
/// logged) rather than retried forever; the next refresh or daily sync
/// queues the account again.
pub const MAX_DELIVERIES: u64 = 5;

/// Runs `concurrency` consumers until `stop` turns true; in-flight jobs
/// finish first.
pub async fn run_until(ctx: WorkerContext, concurrency: usize, stop: watch::Receiver<bool>) {
    let process = format!("{:08x}", rand::random::<u32>());
    let mut tasks = Vec::new();
    for n in 0..concurrency.max(1) {
        let ctx = ctx.clone();
        let mut stop = stop.clone();
        let name = format!("worker-{process}-{n}");
        tasks.push(tokio::spawn(async move {
            tracing::info!(consumer = %name, "consumer started");
            while !*stop.borrow() {
                tokio::select! {
                    _ = stop.changed() => break,
                    () = consume_one(&ctx, &name) => {}
                }
            }
            tracing::info!(consumer = %name, "consumer stopped");
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
}

/// Takes at most one job and runs it. Cancel-safe between the two steps.
pub async fn consume_one(ctx: &WorkerContext, consumer: &str) {
    let delivery = match ctx.queue.next(consumer, POLL).await {
        Ok(Some(delivery)) => delivery,
        Ok(None) => return,
        Err(error) => {
            tracing::warn!(%error, "queue unavailable");
            tokio::time::sleep(POLL).await;
            return;
        }
    };
    if delivery.deliveries > MAX_DELIVERIES {
        tracing::error!(
            user_id = delivery.job.user_id,
            account_id = delivery.job.account_id,
            deliveries = delivery.deliveries,
            "sync job keeps failing; dropped"
        );
        if let Err(error) = ctx.queue.ack(&delivery).await {
            tracing::warn!(%error, "ack failed");
        }
        ctx.metrics
            .observe(sync_account::NAME, "dropped", Duration::ZERO);
        return;
    }
    // Once taken, the job runs to its end even if shutdown is asked.
    let ctx = ctx.clone();
    let consumer = consumer.to_owned();
    let span = tracing::info_span!(
        "job",
        otel.name = sync_account::NAME,
        job = sync_account::NAME,
        user_id = delivery.job.user_id,
        account_id = delivery.job.account_id,
        reason = ?delivery.job.reason,
        deliveries = delivery.deliveries,
    );
    let run = tokio::spawn(
        async move {
            let started = Instant::now();
            let result = sync_account::run(&ctx, &delivery.job).await;
            ctx.metrics.observe(
                sync_account::NAME,
                sync_account::outcome_label(&result),
                started.elapsed(),
            );
            match result {
                Ok(outcome) => {
                    tracing::debug!(consumer = %consumer, ?outcome, "job done");
                    if let Err(error) = ctx.queue.ack(&delivery).await {
                        tracing::warn!(%error, "ack failed; the job will run again");
                    }
                }
                Err(error) => {
                    tracing::error!(
                        consumer = %consumer,
                        user_id = delivery.job.user_id,
                        account_id = delivery.job.account_id,
                        deliveries = delivery.deliveries,
                        %error,
                        "sync job failed; left for retry"
                    );
                }
            }
        }
        .instrument(span),
    );
    let _ = run.await;
}
