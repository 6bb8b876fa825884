use std::time::Duration;

use async_trait::async_trait;
use fred::interfaces::KeysInterface as _;
use fred::prelude::Expiration;
use moneta_core::error::InternalError;
use moneta_core::ports::Checkpoints;

use super::checkpoint_error;
use crate::redis::Redis;

/// Checkpoints shared by every replica: `<prefix>:checkpoint:<name>`,
/// expiring with its `ttl`.
#[derive(Debug, Clone)]
pub struct RedisCheckpoints {
    redis: Redis,
}

impl RedisCheckpoints {
    pub fn new(redis: Redis) -> Self {
        Self { redis }
    }

    fn key(&self, name: &str) -> String {
        self.redis.key(&format!("checkpoint:{name}"))
    }
}

#[async_trait]
impl Checkpoints for RedisCheckpoints {
    async fn load(&self, name: &str) -> Result<Option<String>, InternalError> {
        self.redis
            .pool
            .next()
            .get(self.key(name))
            .await
            .map_err(checkpoint_error)
    }

    async fn save(&self, name: &str, value: &str, ttl: Duration) -> Result<(), InternalError> {
        let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX).max(1);
        self.redis
            .pool
            .next()
            .set::<(), _, _>(
                self.key(name),
                value,
                Some(Expiration::PX(ttl_ms)),
                None,
                false,
            )
            .await
            .map_err(checkpoint_error)
    }
}
