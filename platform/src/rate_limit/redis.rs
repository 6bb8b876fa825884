use std::time::Duration;

use async_trait::async_trait;
use fred::interfaces::KeysInterface as _;
use moneta_core::error::InternalError;
use moneta_core::ports::{RateLimiter, Window};

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

    fn key(&self, key: &str) -> String {
        self.redis.key(&format!("rl:{key}"))
    }
}

fn failed(e: fred::error::Error) -> InternalError {
    InternalError::Queue(format!("rate limiter: {e}"))
}

fn millis(ms: i64) -> Duration {
    Duration::from_millis(ms.unsigned_abs())
}

#[async_trait]
impl RateLimiter for RedisRateLimiter {
    async fn count(&self, key: &str, window: Duration) -> Result<Window, InternalError> {
        let key = self.key(key);
        let client = self.redis.fail_fast();
        let count: i64 = client.incr(&key).await.map_err(failed)?;
        let count = u32::try_from(count).unwrap_or(u32::MAX);
        let window_ms = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
        let ttl: i64 = if count == 1 {
            let _: i64 = client
                .pexpire(&key, window_ms, None)
                .await
                .map_err(failed)?;
            window_ms
        } else {
            client.pttl(&key).await.map_err(failed)?
        };
        if ttl < 0 {
            // The expiry was lost (a crash between INCR and PEXPIRE): set it.
            let _: i64 = client
                .pexpire(&key, window_ms, None)
                .await
                .map_err(failed)?;
            return Ok(Window {
                count,
                resets_in: window,
            });
        }
        Ok(Window {
            count,
            resets_in: millis(ttl),
        })
    }

    async fn peek(&self, key: &str) -> Result<Option<Window>, InternalError> {
        let key = self.key(key);
        let client = self.redis.fail_fast();
        let count: Option<i64> = client.get(&key).await.map_err(failed)?;
        let Some(count) = count else {
            return Ok(None);
        };
        let ttl: i64 = client.pttl(&key).await.map_err(failed)?;
        // -2: gone since the GET; -1: no expiry (see `count`), counted as open.
        if ttl == -2 {
            return Ok(None);
        }
        Ok(Some(Window {
            count: u32::try_from(count).unwrap_or(u32::MAX),
            resets_in: millis(ttl.max(0)),
        }))
    }

    async fn clear(&self, key: &str) -> Result<(), InternalError> {
        let key = self.key(key);
        let _: i64 = self.redis.fail_fast().del(&key).await.map_err(failed)?;
        Ok(())
    }
}
