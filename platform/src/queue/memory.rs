use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use moneta_core::error::InternalError;
use moneta_core::ports::{Delivery, JobQueue, SyncJob};
use tokio::sync::Notify;
use tokio::time::Instant;

/// The embedded default's queue: a FIFO plus a table of deliveries not yet
/// acknowledged, in one process.
///
/// A delivery left unacknowledged for `reclaim_after` (its consumer task
/// died or hung) is handed out again, to any consumer, before new jobs.
#[derive(Debug)]
pub struct InProcessJobQueue {
    reclaim_after: Duration,
    state: Mutex<State>,
    /// Woken on every enqueue.
    enqueued: Notify,
}

#[derive(Debug, Default)]
struct State {
    last_id: u64,
    waiting: VecDeque<(u64, SyncJob)>,
    /// By id, so the oldest reclaimable entry comes first.
    pending: BTreeMap<u64, Pending>,
}

#[derive(Debug)]
struct Pending {
    job: SyncJob,
    consumer: String,
    delivered_at: Instant,
    deliveries: u64,
}

impl InProcessJobQueue {
    pub fn new(reclaim_after: Duration) -> Self {
        Self {
            reclaim_after,
            state: Mutex::new(State::default()),
            enqueued: Notify::new(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Every critical section leaves the state consistent, so a panic
        // elsewhere while holding the lock does not corrupt it.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Hands out a reclaimable or a new job, or says when the earliest
    /// pending entry becomes reclaimable.
    fn take(&self, consumer: &str, now: Instant) -> Result<Delivery, Option<Instant>> {
        let mut state = self.state();
        let reclaim_after = self.reclaim_after;
        let mut earliest = None;
        for (id, pending) in &mut state.pending {
            let due = pending.delivered_at + reclaim_after;
            if due <= now {
                tracing::info!(
                    id,
                    from = pending.consumer,
                    to = consumer,
                    "reclaiming an unacknowledged job"
                );
                pending.consumer = consumer.to_owned();
                pending.delivered_at = now;
                pending.deliveries += 1;
                return Ok(Delivery {
                    id: id.to_string(),
                    job: pending.job.clone(),
                    deliveries: pending.deliveries,
                });
            }
            earliest = Some(earliest.map_or(due, |e: Instant| e.min(due)));
        }
        let Some((id, job)) = state.waiting.pop_front() else {
            return Err(earliest);
        };
        state.pending.insert(
            id,
            Pending {
                job: job.clone(),
                consumer: consumer.to_owned(),
                delivered_at: now,
                deliveries: 1,
            },
        );
        Ok(Delivery {
            id: id.to_string(),
            job,
            deliveries: 1,
        })
    }
}

#[async_trait]
impl JobQueue for InProcessJobQueue {
    async fn enqueue(&self, job: &SyncJob) -> Result<(), InternalError> {
        {
            let mut state = self.state();
            state.last_id += 1;
            let id = state.last_id;
            state.waiting.push_back((id, job.clone()));
        }
        self.enqueued.notify_waiters();
        Ok(())
    }

    async fn next(
        &self,
        consumer: &str,
        wait: Duration,
    ) -> Result<Option<Delivery>, InternalError> {
        let deadline = Instant::now() + wait;
        loop {
            // Register interest before looking, so an enqueue between the
            // look and the wait is not missed.
            let enqueued = self.enqueued.notified();
            tokio::pin!(enqueued);
            enqueued.as_mut().enable();

            let now = Instant::now();
            let wake_at = match self.take(consumer, now) {
                Ok(delivery) => return Ok(Some(delivery)),
                Err(earliest_reclaim) => {
                    earliest_reclaim.map_or(deadline, |reclaim| reclaim.min(deadline))
                }
            };
            if now >= deadline {
                return Ok(None);
            }
            // Either a job arrives, a pending entry becomes reclaimable, or
            // the wait is over; the loop looks again in every case.
            let _ = tokio::time::timeout_at(wake_at, enqueued).await;
        }
    }

    async fn ack(&self, delivery: &Delivery) -> Result<(), InternalError> {
        // An id we do not know (already acknowledged, or not ours) is a no-op,
        // as XACK is.
        if let Ok(id) = delivery.id.parse::<u64>() {
            self.state().pending.remove(&id);
        }
        Ok(())
    }

    async fn depth(&self) -> Result<u64, InternalError> {
        let state = self.state();
        Ok((state.waiting.len() + state.pending.len()) as u64)
    }
}
