use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use moneta_core::error::InternalError;
use moneta_core::ports::{Bucket, Charge, RateLimiter, Window};
use tokio::time::Instant;

use super::InProcessRateLimiter;

/// The longest a shared count may take before this one is counted here.
const TIMEOUT: Duration = Duration::from_millis(500);
/// After a failure, counts stay here this long before the shared limiter
/// is tried again.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// The shared (Redis) limiter, and an in-process one that counts while
/// the shared one cannot: an outage of Redis keeps sign-in, registration
/// and the other limited mutations working, each replica limiting on its
/// own (so a caller spread over N replicas gets up to N times the limit,
/// for as long as the outage lasts). Windows counted here are not carried
/// back: when the shared limiter answers again its own windows apply.
#[derive(Debug)]
pub struct FallbackRateLimiter {
    shared: Arc<dyn RateLimiter>,
    local: InProcessRateLimiter,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Counting here until then.
    down_until: Option<Instant>,
    /// The shared limiter failed and has not answered since (for the log).
    failing: bool,
}

impl FallbackRateLimiter {
    pub fn new(shared: Arc<dyn RateLimiter>) -> Self {
        Self {
            shared,
            local: InProcessRateLimiter::default(),
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether to skip the shared limiter now.
    fn is_down(&self) -> bool {
        self.state()
            .down_until
            .is_some_and(|until| Instant::now() < until)
    }

    /// `op` on the shared limiter, or `None` (counted here instead) when
    /// it is down, fails or is too slow.
    async fn shared<T>(&self, op: impl Future<Output = Result<T, InternalError>>) -> Option<T> {
        if self.is_down() {
            return None;
        }
        let result = tokio::time::timeout(TIMEOUT, op)
            .await
            .unwrap_or_else(|_| Err(InternalError::Queue("rate limiter: timed out".into())));
        let mut state = self.state();
        match result {
            Ok(value) => {
                if std::mem::take(&mut state.failing) {
                    tracing::info!("rate limiter answers again; limits are shared again");
                }
                state.down_until = None;
                Some(value)
            }
            Err(error) => {
                if !std::mem::replace(&mut state.failing, true) {
                    tracing::warn!(%error, "rate limiter unavailable; limiting in this process");
                }
                state.down_until = Some(Instant::now() + RETRY_AFTER);
                None
            }
        }
    }
}

#[async_trait]
impl RateLimiter for FallbackRateLimiter {
    async fn count(&self, key: &str, window: Duration) -> Result<Window, InternalError> {
        match self.shared(self.shared.count(key, window)).await {
            Some(open) => Ok(open),
            None => self.local.count(key, window).await,
        }
    }

    async fn peek(&self, key: &str) -> Result<Option<Window>, InternalError> {
        match self.shared(self.shared.peek(key)).await {
            Some(open) => Ok(open),
            None => self.local.peek(key).await,
        }
    }

    async fn clear(&self, key: &str) -> Result<(), InternalError> {
        // Both: a window counted here during an outage must not outlive
        // the success that clears it.
        self.local.clear(key).await?;
        if self.shared(self.shared.clear(key)).await.is_none() {
            tracing::debug!("rate limit window cleared in this process only");
        }
        Ok(())
    }

    async fn charge(&self, key: &str, cost: u32, bucket: Bucket) -> Result<Charge, InternalError> {
        match self.shared(self.shared.charge(key, cost, bucket)).await {
            Some(charge) => Ok(charge),
            None => self.local.charge(key, cost, bucket).await,
        }
    }

    async fn settle(&self, key: &str, cost: u32, bucket: Bucket) -> Result<Charge, InternalError> {
        match self.shared(self.shared.settle(key, cost, bucket)).await {
            Some(charge) => Ok(charge),
            None => self.local.settle(key, cost, bucket).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    use super::*;

    /// A shared limiter that answers a fixed window, or fails.
    #[derive(Debug, Default)]
    struct Shared {
        broken: AtomicBool,
        calls: AtomicUsize,
    }

    #[async_trait]
    impl RateLimiter for Shared {
        async fn count(&self, _key: &str, window: Duration) -> Result<Window, InternalError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            if self.broken.load(Ordering::SeqCst) {
                return Err(InternalError::Queue("connection refused".into()));
            }
            Ok(Window {
                count: 100,
                resets_in: window,
            })
        }

        async fn peek(&self, _key: &str) -> Result<Option<Window>, InternalError> {
            Ok(None)
        }

        async fn clear(&self, _key: &str) -> Result<(), InternalError> {
            Ok(())
        }

        async fn charge(
            &self,
            _key: &str,
            cost: u32,
            bucket: Bucket,
        ) -> Result<Charge, InternalError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            if self.broken.load(Ordering::SeqCst) {
                return Err(InternalError::Queue("connection refused".into()));
            }
            Ok(Charge::of(bucket, 0.0, cost).0)
        }

        async fn settle(
            &self,
            key: &str,
            cost: u32,
            bucket: Bucket,
        ) -> Result<Charge, InternalError> {
            self.charge(key, cost, bucket).await
        }
    }

    fn limiter() -> (Arc<Shared>, FallbackRateLimiter) {
        let shared = Arc::new(Shared::default());
        (shared.clone(), FallbackRateLimiter::new(shared))
    }

    const MINUTE: Duration = Duration::from_secs(60);

    #[tokio::test(start_paused = true)]
    async fn counts_are_shared_while_the_shared_limiter_answers() {
        let (_, limiter) = limiter();
        assert_eq!(limiter.count("k", MINUTE).await.unwrap().count, 100);
    }

    #[tokio::test(start_paused = true)]
    async fn an_outage_counts_here_and_still_limits() {
        let (shared, limiter) = limiter();
        shared.broken.store(true, Ordering::SeqCst);
        for _ in 0..3 {
            assert_eq!(limiter.hit("k", 3, MINUTE).await.unwrap(), None);
        }
        let refused = limiter.hit("k", 3, MINUTE).await.unwrap();
        assert!(refused.is_some_and(|wait| wait <= MINUTE), "{refused:?}");
        // One failed call opened the breaker: the others never waited on it.
        assert_eq!(shared.calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn the_shared_limiter_is_tried_again_after_a_second_and_then_used() {
        let (shared, limiter) = limiter();
        shared.broken.store(true, Ordering::SeqCst);
        assert_eq!(limiter.count("k", MINUTE).await.unwrap().count, 1);
        shared.broken.store(false, Ordering::SeqCst);
        assert_eq!(limiter.count("k", MINUTE).await.unwrap().count, 2);
        tokio::time::advance(RETRY_AFTER).await;
        assert_eq!(limiter.count("k", MINUTE).await.unwrap().count, 100);
    }

    #[tokio::test(start_paused = true)]
    async fn an_outage_charges_buckets_here() {
        let (shared, limiter) = limiter();
        let bucket = Bucket {
            capacity: 10,
            drain_per_second: 1,
        };
        // Shared: each answer is a fresh bucket's.
        assert_eq!(limiter.charge("k", 8, bucket).await.unwrap().remaining, 2);
        assert_eq!(limiter.charge("k", 8, bucket).await.unwrap().remaining, 2);
        shared.broken.store(true, Ordering::SeqCst);
        assert!(limiter.charge("k", 8, bucket).await.unwrap().admitted);
        assert!(!limiter.charge("k", 8, bucket).await.unwrap().admitted);
    }

    /// Never answers.
    #[derive(Debug)]
    struct Hanging;

    #[async_trait]
    impl RateLimiter for Hanging {
        async fn count(&self, _key: &str, _window: Duration) -> Result<Window, InternalError> {
            std::future::pending().await
        }

        async fn peek(&self, _key: &str) -> Result<Option<Window>, InternalError> {
            std::future::pending().await
        }

        async fn clear(&self, _key: &str) -> Result<(), InternalError> {
            std::future::pending().await
        }

        async fn charge(
            &self,
            _key: &str,
            _cost: u32,
            _bucket: Bucket,
        ) -> Result<Charge, InternalError> {
            std::future::pending().await
        }

        async fn settle(
            &self,
            _key: &str,
            _cost: u32,
            _bucket: Bucket,
        ) -> Result<Charge, InternalError> {
            std::future::pending().await
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_shared_limiter_that_hangs_costs_one_timeout() {
        let limiter = FallbackRateLimiter::new(Arc::new(Hanging));
        let started = Instant::now();
        assert_eq!(limiter.count("k", MINUTE).await.unwrap().count, 1);
        assert_eq!(limiter.count("k", MINUTE).await.unwrap().count, 2);
        assert_eq!(limiter.peek("k").await.unwrap().map(|w| w.count), Some(2));
        limiter.clear("k").await.unwrap();
        assert_eq!(limiter.peek("k").await.unwrap(), None);
        assert_eq!(started.elapsed(), TIMEOUT);
    }
}
