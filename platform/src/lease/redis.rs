use std::time::Duration;

use async_trait::async_trait;
use fred::interfaces::KeysInterface as _;
use fred::prelude::{Expiration, SetOptions, Value};
use moneta_core::error::InternalError;
use moneta_core::ports::{LeaseToken, Leases};

use super::{lease_error, new_token};
use crate::redis::Redis;

/// Deletes the key only if it still holds the caller's token.
const COMPARE_AND_DELETE: &str = "if redis.call('get', KEYS[1]) == ARGV[1] then \
     return redis.call('del', KEYS[1]) else return 0 end";

/// Leases shared by every replica: `<prefix>:lease:<key>` holds the
/// holder's token and expires with the lease (`SET … NX PX`).
///
/// Expiry is Redis's clock, not the holder's: a holder that pauses past
/// its ttl has lost the lease without knowing it, so what a lease guards
/// must itself be safe to repeat (a sync is idempotent).
/// Extends the key's expiry only if it still holds the caller's token.
const COMPARE_AND_EXTEND: &str = "if redis.call('get', KEYS[1]) == ARGV[1] then \
     return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

#[derive(Debug, Clone)]
pub struct RedisLeases {
    redis: Redis,
}

impl RedisLeases {
    pub fn new(redis: Redis) -> Self {
        Self { redis }
    }

    fn key(&self, key: &str) -> String {
        self.redis.key(&format!("lease:{key}"))
    }

    /// Runs `script` on the lease `key` with `args`.
    async fn eval(
        &self,
        script: &'static str,
        key: &str,
        args: Vec<Value>,
    ) -> Result<Value, InternalError> {
        Redis::eval(self.redis.pool.next(), script, self.key(key), args)
            .await
            .map_err(lease_error)
    }
}

#[async_trait]
impl Leases for RedisLeases {
    async fn acquire(&self, key: &str, ttl: Duration) -> Result<Option<LeaseToken>, InternalError> {
        // PX 0 is an error; a sub-millisecond lease rounds up to 1 ms.
        let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX).max(1);
        let token = new_token();
        // "OK" when set, nil when someone holds it.
        let set: Option<String> = self
            .redis
            .pool
            .next()
            .set(
                self.key(key),
                token.0.as_str(),
                Some(Expiration::PX(ttl_ms)),
                Some(SetOptions::NX),
                false,
            )
            .await
            .map_err(lease_error)?;
        Ok(set.map(|_| token))
    }

    async fn renew(
        &self,
        key: &str,
        token: &LeaseToken,
        ttl: Duration,
    ) -> Result<bool, InternalError> {
        let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX).max(1);
        let extended = self
            .eval(
                COMPARE_AND_EXTEND,
                key,
                vec![token.0.as_str().into(), ttl_ms.into()],
            )
            .await?;
        Ok(matches!(extended, Value::Integer(1)))
    }

    async fn release(&self, key: &str, token: &LeaseToken) -> Result<(), InternalError> {
        self.eval(COMPARE_AND_DELETE, key, vec![token.0.as_str().into()])
            .await?;
        Ok(())
    }
}
