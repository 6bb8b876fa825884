use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use moneta_core::error::InternalError;
use moneta_core::ports::{Bucket, Charge, RateLimiter, Window};
use tokio::time::Instant;

/// Keys remembered before expired windows are swept.
const SWEEP_AT: usize = 10_000;

#[derive(Debug, Default)]
pub struct InProcessRateLimiter {
    windows: Mutex<HashMap<String, (u32, Instant)>>,
    /// Leaky buckets: the level, and when it was last drained.
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl InProcessRateLimiter {
    fn windows(&self) -> MutexGuard<'_, HashMap<String, (u32, Instant)>> {
        lock(&self.windows)
    }
}

#[async_trait]
impl RateLimiter for InProcessRateLimiter {
    async fn count(&self, key: &str, window: Duration) -> Result<Window, InternalError> {
        let now = Instant::now();
        let mut windows = self.windows();
        if windows.len() >= SWEEP_AT {
            windows.retain(|_, (_, ends)| *ends > now);
        }
        let entry = windows.entry(key.to_owned()).or_insert((0, now + window));
        if entry.1 <= now {
            *entry = (0, now + window);
        }
        entry.0 = entry.0.saturating_add(1);
        Ok(Window {
            count: entry.0,
            resets_in: entry.1 - now,
        })
    }

    async fn peek(&self, key: &str) -> Result<Option<Window>, InternalError> {
        let now = Instant::now();
        Ok(self
            .windows()
            .get(key)
            .filter(|(_, ends)| *ends > now)
            .map(|(count, ends)| Window {
                count: *count,
                resets_in: *ends - now,
            }))
    }

    async fn clear(&self, key: &str) -> Result<(), InternalError> {
        self.windows().remove(key);
        Ok(())
    }

    async fn charge(&self, key: &str, cost: u32, bucket: Bucket) -> Result<Charge, InternalError> {
        Ok(self.fill(key, bucket, |level| Charge::of(bucket, level, cost)))
    }

    async fn settle(&self, key: &str, cost: u32, bucket: Bucket) -> Result<Charge, InternalError> {
        Ok(self.fill(key, bucket, |level| Charge::forced(bucket, level, cost)))
    }
}

impl InProcessRateLimiter {
    /// Drains `key`'s bucket to now, then applies `charge` to its level.
    fn fill(&self, key: &str, bucket: Bucket, charge: impl FnOnce(f64) -> (Charge, f64)) -> Charge {
        let now = Instant::now();
        let rate = f64::from(bucket.drain_per_second);
        let drained =
            |(level, at): (f64, Instant)| (level - (now - at).as_secs_f64() * rate).max(0.0);
        let mut buckets = lock(&self.buckets);
        if buckets.len() >= SWEEP_AT {
            buckets.retain(|_, held| drained(*held) > 0.0);
        }
        let level = buckets.get(key).copied().map_or(0.0, drained);
        let (charge, after) = charge(level);
        buckets.insert(key.to_owned(), (after, now));
        charge
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn allows_the_limit_then_refuses_until_the_window_ends() {
        let limiter = InProcessRateLimiter::default();
        let window = Duration::from_secs(60);
        for _ in 0..3 {
            assert_eq!(limiter.hit("k", 3, window).await.unwrap(), None);
        }
        let retry = limiter.hit("k", 3, window).await.unwrap().unwrap();
        assert!(retry <= window && retry > Duration::from_secs(59));
        assert_eq!(limiter.hit("other", 3, window).await.unwrap(), None);
        tokio::time::advance(window).await;
        assert_eq!(limiter.hit("k", 3, window).await.unwrap(), None);
    }

    #[tokio::test(start_paused = true)]
    async fn a_bucket_fills_per_key_refuses_what_does_not_fit_and_drains() {
        let limiter = InProcessRateLimiter::default();
        let bucket = Bucket {
            capacity: 100,
            drain_per_second: 10,
        };
        let first = limiter.charge("k", 70, bucket).await.unwrap();
        assert!(first.admitted);
        assert_eq!(first.remaining, 30);
        let refused = limiter.charge("k", 70, bucket).await.unwrap();
        assert!(!refused.admitted);
        assert_eq!(refused.retry_after, Duration::from_secs(4));
        assert!(limiter.charge("other", 70, bucket).await.unwrap().admitted);
        tokio::time::advance(Duration::from_secs(4)).await;
        let later = limiter.charge("k", 70, bucket).await.unwrap();
        assert!(later.admitted);
        assert_eq!(later.remaining, 0);
    }

    #[tokio::test(start_paused = true)]
    async fn peek_does_not_count_and_clear_closes_the_window() {
        let limiter = InProcessRateLimiter::default();
        let window = Duration::from_secs(60);
        assert_eq!(limiter.peek("k").await.unwrap(), None);
        limiter.count("k", window).await.unwrap();
        tokio::time::advance(Duration::from_secs(10)).await;
        let open = limiter.count("k", window).await.unwrap();
        assert_eq!(open.count, 2);
        assert_eq!(open.resets_in, Duration::from_secs(50));
        assert_eq!(limiter.peek("k").await.unwrap(), Some(open));
        assert_eq!(limiter.peek("k").await.unwrap().unwrap().count, 2);
        limiter.clear("k").await.unwrap();
        assert_eq!(limiter.peek("k").await.unwrap(), None);
        assert_eq!(limiter.count("k", window).await.unwrap().count, 1);
        tokio::time::advance(window).await;
        assert_eq!(limiter.peek("k").await.unwrap(), None);
    }
}
