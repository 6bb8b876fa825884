//! Sync consumers: take jobs from the queue, run them, acknowledge them.
//!
//! At-least-once: a job is acknowledged only after the pipeline returned
//! an outcome; an infrastructure error leaves it pending (its error
//! recorded), to be reclaimed by this or another worker once the reclaim
//! timeout passes. The pipeline is idempotent, so a job run twice changes
//! nothing the second time.
//!
//! - **Keep-alive.** While a job runs, its consumer restarts the entry's
//!   reclaim timeout every third of it ([`JobQueue::keep_alive`]), so a
//!   healthy worker's long sync is never reclaimed from under it, and the
//!   timeout can stay short: a dead worker's job is picked up again within
//!   about that timeout.
//! - **Dead letters.** A job whose last allowed delivery
//!   ([`WorkerContext::max_deliveries`]) fails goes to the dead letters
//!   with its last error (`moneta jobs dead-letter list|retry`); so does
//!   one delivered more often than that (its workers kept dying mid-job).
//!   Its account, if still SYNCING, is set to ERROR with a SYNC_FAILED
//!   notification
//!   ([`Accounts::mark_sync_abandoned`](moneta_core::accounts::Accounts::mark_sync_abandoned)),
//!   so the user knows to refresh, and `AccountSynced` is published, as
//!   for a failed sync.
//! - **Panics.** Each job runs as a task of its own: a panic in the
//!   pipeline fails that delivery, not the consumer.
//! - **Shutdown.** Only the take ([`JobQueue::next`], cancel-safe) races
//!   the stop signal: a job once taken runs to its end outside it. The
//!   caller bounds the wait ([`Consumers::finished`] under a timeout: the
//!   grace period); what still runs then is [`Consumers::abandon`]ed,
//!   unacknowledged, for another worker to reclaim.
//!
//! [`JobQueue::keep_alive`]: moneta_core::ports::JobQueue::keep_alive
//! [`JobQueue::next`]: moneta_core::ports::JobQueue::next

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use moneta_core::ports::{Delivery, UserEvent};
use moneta_core::sync::SyncOutcome;
use moneta_core::{InternalError, UserId};
use tokio::sync::watch;
use tokio::task::{AbortHandle, JoinError, JoinHandle, JoinSet};
use tokio::time::MissedTickBehavior;
use tracing::Instrument as _;

use crate::WorkerContext;
use crate::jobs::sync_account;

/// How long one `next` call waits for a job before checking for shutdown.
const POLL: Duration = Duration::from_secs(1);
/// Deliveries a job gets by default. The setting's own default
/// (`Settings::queue_max_deliveries`, `MONETA_QUEUE_MAX_DELIVERIES`) is
/// declared apart and is what [`WorkerContext::max_deliveries`] holds.
pub const MAX_DELIVERIES: u64 = 5;
/// The shortest keep-alive period, whatever the reclaim timeout.
const MIN_KEEP_ALIVE: Duration = Duration::from_millis(10);

/// The sync consumers of one process.
#[derive(Debug)]
pub struct Consumers {
    tasks: JoinSet<()>,
    in_flight: InFlight,
}

impl Consumers {
    /// Starts `concurrency` consumers (at least one). Each takes jobs until
    /// `stop` turns true, then finishes the job it holds and ends.
    pub fn start(ctx: WorkerContext, concurrency: usize, stop: watch::Receiver<bool>) -> Self {
        let process = format!("{:08x}", rand::random::<u32>());
        let in_flight = InFlight::default();
        let mut tasks = JoinSet::new();
        for n in 0..concurrency.max(1) {
            let name = format!("worker-{process}-{n}");
            tasks.spawn(consume_until(
                ctx.clone(),
                name,
                stop.clone(),
                in_flight.clone(),
            ));
        }
        Self { tasks, in_flight }
    }

    /// Resolves once every consumer has ended (after `stop`, once each has
    /// finished its job). Cancel-safe: it may be called again.
    pub async fn finished(&mut self) {
        while self.tasks.join_next().await.is_some() {}
    }

    /// Stops every consumer and every job still running, now; returns the
    /// deliveries those jobs held. They stay unacknowledged: another worker
    /// reclaims them after the reclaim timeout.
    pub fn abandon(&mut self) -> Vec<Delivery> {
        // The jobs first: an aborted consumer forgets the job it awaited.
        let abandoned = self.in_flight.abort_all();
        self.tasks.abort_all();
        abandoned
    }
}

/// The jobs running now, by consumer, and how to stop each.
#[derive(Debug, Clone, Default)]
struct InFlight(Arc<Mutex<HashMap<String, (Delivery, AbortHandle)>>>);

impl InFlight {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Delivery, AbortHandle)>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records a running job until the guard drops.
    fn running(&self, delivery: &Delivery, job: AbortHandle) -> Running<'_> {
        self.lock()
            .insert(delivery.consumer.clone(), (delivery.clone(), job));
        Running {
            in_flight: self,
            consumer: delivery.consumer.clone(),
        }
    }

    fn abort_all(&self) -> Vec<Delivery> {
        self.lock()
            .drain()
            .map(|(_, (delivery, job))| {
                job.abort();
                delivery
            })
            .collect()
    }
}

struct Running<'a> {
    in_flight: &'a InFlight,
    consumer: String,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.in_flight.lock().remove(&self.consumer);
    }
}

async fn consume_until(
    ctx: WorkerContext,
    name: String,
    mut stop: watch::Receiver<bool>,
    in_flight: InFlight,
) {
    tracing::info!(consumer = %name, "consumer started");
    loop {
        // Only the take races the stop: dropping it loses no job.
        let taken = tokio::select! {
            biased;
            _ = stop.wait_for(|stop| *stop) => break,
            taken = take(&ctx, &name) => taken,
        };
        if let Some(delivery) = taken {
            work(&ctx, delivery, &in_flight).await;
        }
    }
    tracing::info!(consumer = %name, "consumer stopped");
}

/// Takes at most one job and runs it to its end.
pub async fn consume_one(ctx: &WorkerContext, consumer: &str) {
    if let Some(delivery) = take(ctx, consumer).await {
        work(ctx, delivery, &InFlight::default()).await;
    }
}

/// The next job, if one comes within [`POLL`]. Cancel-safe.
async fn take(ctx: &WorkerContext, consumer: &str) -> Option<Delivery> {
    match ctx.queue.next(consumer, POLL).await {
        Ok(delivery) => delivery,
        Err(error) => {
            tracing::warn!(%error, "queue unavailable");
            tokio::time::sleep(POLL).await;
            None
        }
    }
}

/// Runs a taken job, keeping its delivery alive, then acknowledges it,
/// leaves it for retry, or dead-letters it.
async fn work(ctx: &WorkerContext, delivery: Delivery, in_flight: &InFlight) {
    let span = tracing::info_span!(
        "job",
        otel.name = sync_account::NAME,
        job = sync_account::NAME,
        user_id = delivery.job.user_id,
        account_id = delivery.job.account_id,
        reason = ?delivery.job.reason,
        deliveries = delivery.deliveries,
    );
    async {
        if delivery.deliveries > ctx.max_deliveries {
            // Its deliveries ended without an outcome or a failure (their
            // workers died mid-job): it would take this one down too.
            tracing::error!(
                consumer = %delivery.consumer,
                "sync job delivered more often than allowed without finishing"
            );
            dead_letter(ctx, &delivery).await;
            return;
        }
        let started = Instant::now();
        // A task of its own, so a panic in the pipeline ends the job, not
        // the consumer.
        let job = {
            let ctx = ctx.clone();
            let job = delivery.job.clone();
            tokio::spawn(async move { sync_account::run(&ctx, &job).await }.in_current_span())
        };
        let _running = in_flight.running(&delivery, job.abort_handle());
        let result = match keep_alive_while(ctx, &delivery, job).await {
            Ok(result) => result,
            // Abandoned at the shutdown deadline: left as it is.
            Err(error) if error.is_cancelled() => return,
            Err(error) => Err(InternalError::Join(error)),
        };
        ctx.metrics.observe(
            sync_account::NAME,
            sync_account::outcome_label(&result),
            started.elapsed(),
        );
        match result {
            Ok(outcome) => acknowledge(ctx, &delivery, &outcome).await,
            Err(error) => failed(ctx, &delivery, &error).await,
        }
    }
    .instrument(span)
    .await;
}

/// Awaits the job, restarting its delivery's reclaim timeout every third
/// of it meanwhile.
async fn keep_alive_while<T>(
    ctx: &WorkerContext,
    delivery: &Delivery,
    mut job: JoinHandle<T>,
) -> Result<T, JoinError> {
    let every = (ctx.queue.reclaim_after() / 3).max(MIN_KEEP_ALIVE);
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut held = true;
    loop {
        tokio::select! {
            joined = &mut job => return joined,
            _ = tick.tick() => match ctx.queue.keep_alive(delivery).await {
                Ok(true) => {}
                Ok(false) => {
                    if held {
                        // Harmless (a sync is idempotent), but this worker
                        // was too slow to keep it: worth knowing.
                        tracing::warn!(
                            consumer = %delivery.consumer,
                            "another worker reclaimed the job while it ran; finishing it anyway"
                        );
                    }
                    held = false;
                }
                Err(error) => tracing::warn!(%error, "could not keep the job alive"),
            }
        }
    }
}

async fn acknowledge(ctx: &WorkerContext, delivery: &Delivery, outcome: &SyncOutcome) {
    tracing::debug!(consumer = %delivery.consumer, ?outcome, "job done");
    moneta_core::crash_point!("job.before_ack");
    if let Err(error) = ctx.queue.ack(delivery).await {
        tracing::warn!(%error, "ack failed; the job will run again");
    }
}

async fn failed(ctx: &WorkerContext, delivery: &Delivery, error: &InternalError) {
    let error = describe(error);
    if let Err(error) = ctx.queue.record_failure(delivery, &error).await {
        tracing::warn!(%error, "could not record the job's failure");
    }
    if delivery.deliveries >= ctx.max_deliveries {
        tracing::error!(
            consumer = %delivery.consumer,
            error,
            "sync job failed its last delivery"
        );
        dead_letter(ctx, delivery).await;
    } else {
        tracing::error!(
            consumer = %delivery.consumer,
            error,
            "sync job failed; left for retry"
        );
    }
}

/// Moves the job to the dead letters and tells its user.
async fn dead_letter(ctx: &WorkerContext, delivery: &Delivery) {
    let now = ctx.clock.now();
    if let Err(error) = ctx.queue.dead_letter(delivery, now).await {
        tracing::warn!(%error, "could not dead-letter the job; it stays pending");
        return;
    }
    ctx.metrics.dead_lettered();
    let user = UserId::new(delivery.job.user_id);
    let account_id = delivery.job.account_id;
    let marked = ctx
        .accounts
        .mark_sync_abandoned(user, account_id, now)
        .await;
    tracing::error!(
        id = delivery.id,
        account_marked = matches!(marked, Ok(true)),
        "sync job dead-lettered (moneta jobs dead-letter list)"
    );
    match marked {
        Ok(true) => {
            // As a failed sync does: a client waiting for the sync re-reads
            // the account and finds it in ERROR.
            let event = UserEvent::AccountSynced {
                account_id,
                added: 0,
                modified: 0,
                removed: 0,
            };
            if let Err(error) = ctx.pipeline.events.publish(user, event).await {
                tracing::warn!(%error, "sync event not published");
            }
        }
        Ok(false) => {}
        Err(error) => tracing::warn!(
            error = describe(&error),
            "could not mark the account's sync as abandoned; it still shows SYNCING"
        ),
    }
}

/// The error with its causes, as recorded and logged.
fn describe(error: &InternalError) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
