use std::time::Duration;

use async_trait::async_trait;
use fred::interfaces::KeysInterface as _;
use fred::types::Expiration;
use moneta_core::error::InternalError;
use moneta_core::ports::CacheStore;

use crate::redis::Redis;

/// `GET`/`SET … PX` under `<prefix>:`; Redis evicts (set
/// `maxmemory-policy volatile-lru` or `allkeys-lru` on a cache instance).
#[derive(Debug, Clone)]
pub struct RedisCache {
    redis: Redis,
}

impl RedisCache {
    pub fn new(redis: Redis) -> Self {
        Self { redis }
    }
}

fn failed(e: fred::error::Error) -> InternalError {
    InternalError::Cache(e.to_string())
}

#[async_trait]
impl CacheStore for RedisCache {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, InternalError> {
        self.redis
            .pool
            .get::<Option<Vec<u8>>, _>(self.redis.key(key))
            .await
            .map_err(failed)
    }

    async fn set(&self, key: &str, value: Vec<u8>, ttl: Duration) -> Result<(), InternalError> {
        let ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX).max(1);
        self.redis
            .pool
            .set::<(), _, _>(
                self.redis.key(key),
                value,
                Some(Expiration::PX(ms)),
                None,
                false,
            )
            .await
            .map_err(failed)
    }
}
