use std::time::Duration;

use async_trait::async_trait;
use fred::interfaces::KeysInterface as _;
use fred::prelude::Value;
use moneta_core::error::InternalError;
use moneta_core::ports::{Bucket, Charge, RateLimiter, Window};

use crate::redis::Redis;

/// A leaky bucket, drained to Redis's own clock (`TIME`, so replicas'
/// clocks do not matter): `l` the level, `t` when it was last drained.
/// The cost goes in only if it fits whole (or always, when forced); the
/// key expires when the bucket would be empty. ARGV: cost, capacity,
/// drain per second, forced (1 or 0).
/// Returns {admitted, level after} (the level as a string: Lua numbers
/// reply as integers).
const CHARGE: &str = "local now = redis.call('TIME') \
     now = tonumber(now[1]) + tonumber(now[2]) / 1000000 \
     local held = redis.call('HMGET', KEYS[1], 'l', 't') \
     local cost, capacity, rate = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]) \
     local level = 0 \
     if held[1] then level = math.max(0, tonumber(held[1]) - (now - tonumber(held[2])) * rate) end \
     local admitted = 0 \
     if ARGV[4] == '1' or (cost <= capacity and level + cost <= capacity) then level = level + cost admitted = 1 end \
     redis.call('HSET', KEYS[1], 'l', tostring(level), 't', tostring(now)) \
     redis.call('PEXPIRE', KEYS[1], math.ceil(level / math.max(rate, 1) * 1000) + 1000) \
     return {admitted, tostring(level)}";

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

    async fn charge(&self, key: &str, cost: u32, bucket: Bucket) -> Result<Charge, InternalError> {
        self.fill(key, cost, bucket, false).await
    }

    async fn settle(&self, key: &str, cost: u32, bucket: Bucket) -> Result<Charge, InternalError> {
        self.fill(key, cost, bucket, true).await
    }
}

impl RedisRateLimiter {
    /// Runs [`CHARGE`] on `key`.
    async fn fill(
        &self,
        key: &str,
        cost: u32,
        bucket: Bucket,
        forced: bool,
    ) -> Result<Charge, InternalError> {
        let args = vec![
            i64::from(cost).into(),
            i64::from(bucket.capacity).into(),
            i64::from(bucket.drain_per_second).into(),
            i64::from(forced).into(),
        ];
        let reply = Redis::eval(&self.redis.fail_fast(), CHARGE, self.key(key), args)
            .await
            .map_err(failed)?;
        let unexpected =
            || InternalError::Queue("rate limiter: unexpected reply to a charge".into());
        let Value::Array(reply) = reply else {
            return Err(unexpected());
        };
        let admitted = matches!(reply.first(), Some(Value::Integer(1)));
        let level = reply
            .get(1)
            .and_then(Value::as_string)
            .and_then(|level| level.parse::<f64>().ok())
            .ok_or_else(unexpected)?;
        Ok(Charge::observed(bucket, cost, admitted, level))
    }
}
