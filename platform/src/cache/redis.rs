use std::time::Duration;

use async_trait::async_trait;
use fred::interfaces::KeysInterface as _;
use fred::types::{Expiration, Key};
use futures_util::TryStreamExt as _;
use moneta_core::error::InternalError;
use moneta_core::ports::CacheStore;

use crate::redis::Redis;

/// `GET`/`MGET`/`SET … PX` under `<prefix>:`; Redis evicts (set
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
            .fail_fast()
            .get::<Option<Vec<u8>>, _>(self.redis.key(key))
            .await
            .map_err(failed)
    }

    /// One `MGET`: the keys share a hash tag, so one slot on a Cluster.
    async fn get_pair(
        &self,
        first: &str,
        second: &str,
    ) -> Result<(Option<Vec<u8>>, Option<Vec<u8>>), InternalError> {
        let mut values = self
            .redis
            .fail_fast()
            .mget::<Vec<Option<Vec<u8>>>, _>(vec![self.redis.key(first), self.redis.key(second)])
            .await
            .map_err(failed)?
            .into_iter();
        Ok((values.next().flatten(), values.next().flatten()))
    }

    async fn set(&self, key: &str, value: Vec<u8>, ttl: Duration) -> Result<(), InternalError> {
        let ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX).max(1);
        self.redis
            .fail_fast()
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

    /// `SCAN MATCH <prefix>*` then `UNLINK`, 500 keys a command. The
    /// prefix's hash tag routes the scan to the one node of its slot on
    /// a Redis Cluster.
    async fn delete_prefix(&self, prefix: &str) -> Result<u64, InternalError> {
        let pattern = format!("{}*", glob_escaped(&self.redis.key(prefix)));
        let keys: Vec<Key> = self
            .redis
            .pool
            .next()
            .scan_buffered(pattern, Some(500), None)
            .try_collect()
            .await
            .map_err(failed)?;
        let mut deleted = 0;
        for chunk in keys.chunks(500) {
            deleted += self
                .redis
                .pool
                .unlink::<u64, _>(chunk.to_vec())
                .await
                .map_err(failed)?;
        }
        Ok(deleted)
    }
}

/// `text` matched literally by a Redis glob pattern.
fn glob_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_characters_are_escaped() {
        assert_eq!(glob_escaped("p:cache:{u1}:"), "p:cache:{u1}:");
        assert_eq!(glob_escaped("a*b?[c]\\"), "a\\*b\\?\\[c\\]\\\\");
    }
}
