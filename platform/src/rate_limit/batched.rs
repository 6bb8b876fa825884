//! [`BatchedCharges`]: cost charges that need not wait for Redis. A
//! caller whose bucket, as last reported by the shared limiter, has room
//! to spare (more than a quarter of its capacity left after this cost)
//! is admitted here at once; what this replica let in is settled with the
//! shared bucket every 50 ms, one call per caller. Near the limit, or
//! with no fresh report (older than a second), the charge goes to the
//! shared limiter and waits for its answer. So a caller is held to their
//! bucket across replicas within what the replicas admit in one settling
//! interval, and a busy caller costs Redis twenty calls a second per
//! replica instead of one per request. What a replica admitted but had
//! not yet settled when it stopped (at most 50 ms of it) is not charged.
//!
//! Fixed windows (`count`, `peek`, `clear`) pass straight through.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;

use async_trait::async_trait;
use moneta_core::error::InternalError;
use moneta_core::ports::{Bucket, Charge, RateLimiter, Window};
use tokio::time::Instant;

/// How often admitted costs are settled with the shared limiter.
pub const SETTLE_EVERY: Duration = Duration::from_millis(50);
/// How long a report of the shared bucket is trusted.
const FRESH: Duration = Duration::from_secs(1);
/// The share of the capacity that must remain after a cost admitted here.
const HEADROOM: f64 = 0.25;

/// What this replica knows of one caller's shared bucket.
#[derive(Debug, Clone, Copy)]
struct Shadow {
    bucket: Bucket,
    /// Points left as the shared limiter last reported, at `at`.
    remaining: f64,
    at: Instant,
    /// Admitted here, not yet sent.
    pending: u32,
    /// Sent, not yet answered.
    settling: u32,
}

impl Shadow {
    /// Points left now, counting what was admitted here.
    fn estimate(&self, now: Instant) -> f64 {
        let drained = (now - self.at).as_secs_f64() * f64::from(self.bucket.drain_per_second);
        (self.remaining + drained).min(f64::from(self.bucket.capacity))
            - f64::from(self.pending)
            - f64::from(self.settling)
    }
}

type Shadows = Mutex<HashMap<String, Shadow>>;

fn lock(shadows: &Shadows) -> MutexGuard<'_, HashMap<String, Shadow>> {
    shadows.lock().unwrap_or_else(PoisonError::into_inner)
}

#[derive(Debug)]
pub struct BatchedCharges {
    inner: Arc<dyn RateLimiter>,
    shadows: Arc<Shadows>,
}

impl BatchedCharges {
    /// Wraps `inner`, settling every [`SETTLE_EVERY`] on a task of the
    /// current runtime (it ends with the last clone of the limiter).
    pub fn new(inner: Arc<dyn RateLimiter>) -> Self {
        let shadows = Arc::new(Mutex::new(HashMap::new()));
        tokio::spawn(settle_forever(inner.clone(), Arc::downgrade(&shadows)));
        Self { inner, shadows }
    }

    /// The charge admitted here, if the caller's last report leaves room.
    fn admit_here(&self, key: &str, cost: u32, bucket: Bucket) -> Option<Charge> {
        let now = Instant::now();
        let mut shadows = lock(&self.shadows);
        let shadow = shadows.get_mut(key)?;
        if shadow.bucket != bucket || now - shadow.at > FRESH {
            return None;
        }
        let left = shadow.estimate(now) - f64::from(cost);
        if left < f64::from(bucket.capacity) * HEADROOM {
            return None;
        }
        shadow.pending = shadow.pending.saturating_add(cost);
        Some(Charge {
            admitted: true,
            // Between the headroom and the capacity, a u32.
            remaining: left.floor() as u32,
            retry_after: Duration::ZERO,
        })
    }

    /// Notes the shared bucket's answer (after `settled` points were
    /// settled with it).
    fn observe(shadows: &Shadows, key: &str, bucket: Bucket, charge: &Charge, settled: u32) {
        let now = Instant::now();
        let mut shadows = lock(shadows);
        let shadow = shadows.entry(key.to_owned()).or_insert(Shadow {
            bucket,
            remaining: 0.0,
            at: now,
            pending: 0,
            settling: 0,
        });
        shadow.bucket = bucket;
        shadow.remaining = f64::from(charge.remaining);
        shadow.at = now;
        shadow.settling = shadow.settling.saturating_sub(settled);
    }
}

/// Settles what was admitted here, every [`SETTLE_EVERY`], until the
/// limiter is dropped.
async fn settle_forever(inner: Arc<dyn RateLimiter>, shadows: Weak<Shadows>) {
    let mut tick = tokio::time::interval(SETTLE_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(shadows) = shadows.upgrade() else {
            return;
        };
        settle(inner.as_ref(), &shadows).await;
    }
}

/// One round of settling; forgets callers with nothing pending whose
/// report went stale.
async fn settle(inner: &dyn RateLimiter, shadows: &Shadows) {
    let due: Vec<(String, u32, Bucket)> = {
        let now = Instant::now();
        let mut shadows = lock(shadows);
        shadows.retain(|_, s| s.pending > 0 || s.settling > 0 || now - s.at <= FRESH);
        shadows
            .iter_mut()
            .filter(|(_, s)| s.pending > 0)
            .map(|(key, s)| {
                let cost = std::mem::take(&mut s.pending);
                s.settling = s.settling.saturating_add(cost);
                (key.clone(), cost, s.bucket)
            })
            .collect()
    };
    for (key, cost, bucket) in due {
        match inner.settle(&key, cost, bucket).await {
            Ok(charge) => BatchedCharges::observe(shadows, &key, bucket, &charge, cost),
            Err(error) => {
                tracing::warn!(%error, "admitted costs not settled");
                if let Some(shadow) = lock(shadows).get_mut(&key) {
                    shadow.settling = shadow.settling.saturating_sub(cost);
                }
            }
        }
    }
}

#[async_trait]
impl RateLimiter for BatchedCharges {
    async fn count(&self, key: &str, window: Duration) -> Result<Window, InternalError> {
        self.inner.count(key, window).await
    }

    async fn peek(&self, key: &str) -> Result<Option<Window>, InternalError> {
        self.inner.peek(key).await
    }

    async fn clear(&self, key: &str) -> Result<(), InternalError> {
        self.inner.clear(key).await
    }

    async fn charge(&self, key: &str, cost: u32, bucket: Bucket) -> Result<Charge, InternalError> {
        if let Some(charge) = self.admit_here(key, cost, bucket) {
            return Ok(charge);
        }
        let charge = self.inner.charge(key, cost, bucket).await?;
        Self::observe(&self.shadows, key, bucket, &charge, 0);
        Ok(charge)
    }

    async fn settle(&self, key: &str, cost: u32, bucket: Bucket) -> Result<Charge, InternalError> {
        self.inner.settle(key, cost, bucket).await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::rate_limit::InProcessRateLimiter;

    /// The shared bucket, counting the calls that reach it.
    #[derive(Debug, Default)]
    struct Counted {
        bucket: InProcessRateLimiter,
        calls: AtomicUsize,
    }

    #[async_trait]
    impl RateLimiter for Counted {
        async fn count(&self, key: &str, window: Duration) -> Result<Window, InternalError> {
            self.bucket.count(key, window).await
        }
        async fn peek(&self, key: &str) -> Result<Option<Window>, InternalError> {
            self.bucket.peek(key).await
        }
        async fn clear(&self, key: &str) -> Result<(), InternalError> {
            self.bucket.clear(key).await
        }
        async fn charge(&self, key: &str, cost: u32, b: Bucket) -> Result<Charge, InternalError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            self.bucket.charge(key, cost, b).await
        }
        async fn settle(&self, key: &str, cost: u32, b: Bucket) -> Result<Charge, InternalError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            self.bucket.settle(key, cost, b).await
        }
    }

    const BUCKET: Bucket = Bucket {
        capacity: 1_000,
        drain_per_second: 1,
    };

    #[tokio::test(start_paused = true)]
    async fn room_to_spare_is_admitted_here_and_settled_in_one_call() {
        let shared = Arc::new(Counted::default());
        let limiter = BatchedCharges::new(shared.clone());
        // The first charge asks; the next hundred fit in the report.
        assert_eq!(limiter.charge("k", 1, BUCKET).await.unwrap().remaining, 999);
        for _ in 0..100 {
            assert!(limiter.charge("k", 5, BUCKET).await.unwrap().admitted);
        }
        assert_eq!(shared.calls.load(Ordering::SeqCst), 1);
        tokio::time::sleep(SETTLE_EVERY * 2).await;
        assert_eq!(shared.calls.load(Ordering::SeqCst), 2, "one settling call");
        // The shared bucket holds all of it.
        let peeked = shared.bucket.charge("k", 0, BUCKET).await.unwrap();
        assert!(peeked.remaining <= 499, "{peeked:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn near_the_limit_every_charge_asks_and_is_refused_when_it_does_not_fit() {
        let shared = Arc::new(Counted::default());
        let limiter = BatchedCharges::new(shared.clone());
        assert!(limiter.charge("k", 600, BUCKET).await.unwrap().admitted);
        // 400 left: 300 would leave less than the headroom, so it asks.
        assert!(limiter.charge("k", 300, BUCKET).await.unwrap().admitted);
        let refused = limiter.charge("k", 300, BUCKET).await.unwrap();
        assert!(!refused.admitted);
        assert_eq!(shared.calls.load(Ordering::SeqCst), 3);
        // Another caller's bucket is its own.
        assert!(limiter.charge("other", 600, BUCKET).await.unwrap().admitted);
    }
}
