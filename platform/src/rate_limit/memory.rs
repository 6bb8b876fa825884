use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use moneta_core::error::InternalError;
use moneta_core::ports::RateLimiter;
use tokio::time::Instant;

/// Keys remembered before expired windows are swept.
const SWEEP_AT: usize = 10_000;

#[derive(Debug, Default)]
pub struct InProcessRateLimiter {
    windows: Mutex<HashMap<String, (u32, Instant)>>,
}

#[async_trait]
impl RateLimiter for InProcessRateLimiter {
    async fn hit(
        &self,
        key: &str,
        limit: u32,
        window: Duration,
    ) -> Result<Option<Duration>, InternalError> {
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() >= SWEEP_AT {
            windows.retain(|_, (_, ends)| *ends > now);
        }
        let entry = windows.entry(key.to_owned()).or_insert((0, now + window));
        if entry.1 <= now {
            *entry = (0, now + window);
        }
        entry.0 += 1;
        Ok((entry.0 > limit).then(|| entry.1 - now))
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
}
