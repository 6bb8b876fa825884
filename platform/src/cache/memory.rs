use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use moka::Expiry;
use moka::sync::Cache;
use moneta_core::error::InternalError;
use moneta_core::ports::CacheStore;

/// Bytes of values the embedded default keeps at most.
const CAPACITY_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Clone)]
struct Entry {
    value: Arc<[u8]>,
    ttl: Duration,
}

/// Each entry expires after its own TTL.
struct PerEntryTtl;

impl Expiry<String, Entry> for PerEntryTtl {
    fn expire_after_create(&self, _: &String, entry: &Entry, _: Instant) -> Option<Duration> {
        Some(entry.ttl)
    }
}

/// A bounded in-memory cache (moka, TinyLFU eviction by size).
#[derive(Clone)]
pub struct InProcessCache {
    entries: Cache<String, Entry>,
}

impl std::fmt::Debug for InProcessCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InProcessCache")
            .field("entries", &self.entries.entry_count())
            .finish()
    }
}

impl Default for InProcessCache {
    fn default() -> Self {
        Self {
            entries: Cache::builder()
                .max_capacity(CAPACITY_BYTES)
                .weigher(|key: &String, entry: &Entry| {
                    u32::try_from(key.len() + entry.value.len()).unwrap_or(u32::MAX)
                })
                .expire_after(PerEntryTtl)
                .build(),
        }
    }
}

#[async_trait]
impl CacheStore for InProcessCache {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, InternalError> {
        Ok(self.entries.get(key).map(|e| e.value.to_vec()))
    }

    async fn set(&self, key: &str, value: Vec<u8>, ttl: Duration) -> Result<(), InternalError> {
        self.entries.insert(
            key.to_owned(),
            Entry {
                value: value.into(),
                ttl,
            },
        );
        Ok(())
    }

    async fn delete_prefix(&self, prefix: &str) -> Result<u64, InternalError> {
        let keys: Vec<String> = self
            .entries
            .iter()
            .filter(|(key, _)| key.starts_with(prefix))
            .map(|(key, _)| key.as_ref().clone())
            .collect();
        for key in &keys {
            self.entries.invalidate(key);
        }
        Ok(keys.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keeps_values_until_their_ttl() {
        let cache = InProcessCache::default();
        cache
            .set("a", b"1".to_vec(), Duration::from_secs(60))
            .await
            .unwrap();
        cache
            .set("b", b"2".to_vec(), Duration::from_millis(20))
            .await
            .unwrap();
        assert_eq!(cache.get("a").await.unwrap(), Some(b"1".to_vec()));
        assert_eq!(cache.get("b").await.unwrap(), Some(b"2".to_vec()));
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert_eq!(cache.get("b").await.unwrap(), None, "expired");
        assert_eq!(cache.get("a").await.unwrap(), Some(b"1".to_vec()));
        assert_eq!(cache.get("missing").await.unwrap(), None);
    }

    #[tokio::test]
    async fn deletes_by_prefix() {
        let cache = InProcessCache::default();
        let hour = Duration::from_secs(3600);
        for key in [
            "cache:{u1}:version",
            "cache:{u1}:f1:0:x",
            "cache:{u12}:version",
        ] {
            cache.set(key, b"v".to_vec(), hour).await.unwrap();
        }
        assert_eq!(cache.delete_prefix("cache:{u1}:").await.unwrap(), 2);
        assert_eq!(cache.get("cache:{u1}:version").await.unwrap(), None);
        assert!(cache.get("cache:{u12}:version").await.unwrap().is_some());
        assert_eq!(cache.delete_prefix("cache:{u1}:").await.unwrap(), 0);
    }
}
