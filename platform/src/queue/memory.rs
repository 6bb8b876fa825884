use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use moneta_core::error::InternalError;
use moneta_core::ports::{DeadLetter, Delivery, JobQueue, SyncJob};
use tokio::sync::Notify;
use tokio::time::Instant;

/// The embedded default's queue: a FIFO, a table of deliveries not yet
/// acknowledged, and the dead letters, in one process.
///
/// A delivery left unacknowledged (and not kept alive) for `reclaim_after`
/// — its consumer task died or hung — is handed out again, to any
/// consumer, before new jobs.
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
    /// The last failure recorded per pending entry.
    failures: HashMap<u64, String>,
    last_dead_id: u64,
    dead: BTreeMap<u64, DeadLetter>,
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
                    consumer: consumer.to_owned(),
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
            consumer: consumer.to_owned(),
        })
    }

    fn push(&self, job: SyncJob) {
        {
            let mut state = self.state();
            state.last_id += 1;
            let id = state.last_id;
            state.waiting.push_back((id, job));
        }
        self.enqueued.notify_waiters();
    }
}

#[async_trait]
impl JobQueue for InProcessJobQueue {
    async fn enqueue(&self, job: &SyncJob) -> Result<(), InternalError> {
        self.push(job.clone());
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

    fn reclaim_after(&self) -> Duration {
        self.reclaim_after
    }

    async fn keep_alive(&self, delivery: &Delivery) -> Result<bool, InternalError> {
        let Ok(id) = delivery.id.parse::<u64>() else {
            return Ok(false);
        };
        let mut state = self.state();
        match state.pending.get_mut(&id) {
            Some(pending) if pending.consumer == delivery.consumer => {
                pending.delivered_at = Instant::now();
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn record_failure(&self, delivery: &Delivery, error: &str) -> Result<(), InternalError> {
        if let Ok(id) = delivery.id.parse::<u64>() {
            let mut state = self.state();
            if state.pending.contains_key(&id) {
                state.failures.insert(id, error.to_owned());
            }
        }
        Ok(())
    }

    async fn ack(&self, delivery: &Delivery) -> Result<(), InternalError> {
        // An id we do not know (already acknowledged, or not ours) is a no-op,
        // as XACK is.
        if let Ok(id) = delivery.id.parse::<u64>() {
            let mut state = self.state();
            state.pending.remove(&id);
            state.failures.remove(&id);
        }
        Ok(())
    }

    async fn dead_letter(
        &self,
        delivery: &Delivery,
        at: DateTime<Utc>,
    ) -> Result<(), InternalError> {
        let Ok(id) = delivery.id.parse::<u64>() else {
            return Ok(());
        };
        let mut state = self.state();
        // Gone already (acknowledged meanwhile): nothing to bury.
        if state.pending.remove(&id).is_none() {
            return Ok(());
        }
        let last_error = state.failures.remove(&id);
        state.last_dead_id += 1;
        let dead_id = state.last_dead_id;
        state.dead.insert(
            dead_id,
            DeadLetter {
                id: dead_id.to_string(),
                job: delivery.job.clone(),
                deliveries: delivery.deliveries,
                last_error,
                at,
            },
        );
        Ok(())
    }

    async fn dead_letters(&self) -> Result<Vec<DeadLetter>, InternalError> {
        Ok(self.state().dead.values().cloned().collect())
    }

    async fn retry_dead_letter(&self, id: &str) -> Result<bool, InternalError> {
        let Ok(id) = id.parse::<u64>() else {
            return Ok(false);
        };
        let Some(dead) = self.state().dead.remove(&id) else {
            return Ok(false);
        };
        self.push(dead.job);
        Ok(true)
    }

    async fn depth(&self) -> Result<u64, InternalError> {
        let state = self.state();
        Ok((state.waiting.len() + state.pending.len()) as u64)
    }
}

#[cfg(test)]
mod tests {
    use moneta_core::ports::SyncReason;

    use super::super::contract::{self, RECLAIM};
    use super::*;

    fn queue() -> InProcessJobQueue {
        InProcessJobQueue::new(RECLAIM)
    }

    #[tokio::test]
    async fn keep_alive_holds_a_job_until_its_consumer_stops() {
        contract::keep_alive_holds_a_job_until_its_consumer_stops(&queue()).await;
    }

    #[tokio::test]
    async fn a_dead_letter_is_kept_apart_until_retried() {
        contract::a_dead_letter_is_kept_apart_until_retried(&queue()).await;
    }

    #[tokio::test]
    async fn a_dead_letter_without_a_recorded_failure_says_so() {
        contract::a_dead_letter_without_a_recorded_failure_says_so(&queue()).await;
    }

    #[tokio::test]
    async fn a_job_done_meanwhile_is_not_dead_lettered() {
        contract::a_job_done_meanwhile_is_not_dead_lettered(&queue()).await;
    }

    #[tokio::test]
    async fn retrying_an_unknown_dead_letter_changes_nothing() {
        contract::retrying_an_unknown_dead_letter_changes_nothing(&queue()).await;
    }

    #[tokio::test]
    async fn every_dead_letter_is_listed_in_order() {
        contract::every_dead_letter_is_listed_in_order(&queue()).await;
    }

    #[tokio::test]
    async fn an_acknowledged_entry_forgets_its_failure() {
        let q = queue();
        q.enqueue(&SyncJob {
            user_id: 1,
            account_id: 2,
            reason: SyncReason::Daily,
        })
        .await
        .unwrap();
        let first = q.next("w1", Duration::ZERO).await.unwrap().unwrap();
        q.record_failure(&first, "boom").await.unwrap();
        let again = q.next("w2", RECLAIM * 3).await.unwrap().unwrap();
        assert_eq!(q.state().failures.len(), 1);
        q.ack(&again).await.unwrap();
        assert!(q.state().failures.is_empty());
        // A failure recorded for an entry no longer pending is not kept.
        q.record_failure(&first, "late").await.unwrap();
        assert!(q.state().failures.is_empty());
    }
}
