use std::time::Duration;

use async_trait::async_trait;
use fred::interfaces::KeysInterface as _;
use moneta_core::error::InternalError;
use moneta_core::ports::RateLimiter;

use crate::redis::Redis;

/// Fixed windows in Redis: `INCR <prefix>:rl:<key>`, with the window set as
/// the key's expiry on the first hit. Every replica counts together.
#[derive(Debug, Clone)]
pub struct RedisRateLimiter {
    redis: Redis,
}

impl RedisRateLimiter {
    pub fn new(redis: Redis) -> Self {
        Self { redis }
    }
}

fn failed(e: fred::error::Error) -> InternalError {
    InternalError::Queue(format!("rate limiter: {e}"))
}

#[async_trait]
impl RateLimiter for RedisRateLimiter {
    async fn hit(
        &self,
        key: &str,
        limit: u32,
        window: Duration,
    ) -> Result<Option<Duration>, InternalError> {
        let key = self.redis.key(&format!("rl:{key}"));
        let client = self.redis.pool.next();
        let count: i64 = client.incr(&key).await.map_err(failed)?;
        let window_ms = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
        if count == 1 {
            let _: i64 = client
                .pexpire(&key, window_ms, None)
                .await
                .map_err(failed)?;
        }
        if count <= i64::from(limit) {
            return Ok(None);
        }
        let ttl: i64 = client.pttl(&key).await.map_err(failed)?;
        if ttl < 0 {
            // The expiry was lost (a crash between INCR and PEXPIRE): set it.
            let _: i64 = client
                .pexpire(&key, window_ms, None)
                .await
                .map_err(failed)?;
            return Ok(Some(window));
        }
        Ok(Some(Duration::from_millis(ttl.unsigned_abs())))
    }
}
