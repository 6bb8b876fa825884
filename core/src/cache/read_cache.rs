//! [`ReadCache`]: get-or-load over a [`CacheStore`], with versioned values,
//! jittered expiry and a short circuit breaker so a dead cache costs one
//! timeout, not one per request.

use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use rand::Rng as _;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::keys::{user_prefix, value_key, version_key};
use super::{CacheStats, View};
use crate::UserId;
use crate::error::InternalError;
use crate::ports::CacheStore;

/// How the cache behaves. Defaults: a 300 s TTL, a 100 ms timeout and a
/// 1 s breaker; the root package sets `ttl` and `timeout` from
/// `MONETA_CACHE_TTL_SECS` and `MONETA_CACHE_TIMEOUT_MS`. Values live the
/// TTL ±10 % (`jittered`); a version lives 3× the TTL.
#[derive(Debug, Clone, Copy)]
pub struct CacheSettings {
    /// How long a cached view lives (before jitter). Writes invalidate
    /// explicitly; the expiry only bounds memory and the staleness left
    /// by an invalidation that could not reach the cache.
    pub ttl: Duration,
    /// The longest a cache operation may take before the read goes to
    /// the database instead.
    pub timeout: Duration,
    /// After a failure, reads skip the cache this long.
    pub retry_after: Duration,
    /// Off: every read goes to the database (and nothing is cached);
    /// invalidations still run, so turning it back on serves nothing
    /// stale.
    pub enabled: bool,
}

impl Default for CacheSettings {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(300),
            timeout: Duration::from_millis(100),
            retry_after: Duration::from_secs(1),
            enabled: true,
        }
    }
}

/// Cache-aside for per-user views. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ReadCache {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Arc<dyn CacheStore>,
    settings: CacheSettings,
    stats: CacheStats,
    down_until: Mutex<Option<Instant>>,
    /// Users whose invalidation failed: their views are read from the
    /// database until a new version is set.
    pending: Mutex<HashSet<UserId>>,
    /// Users erased here ([`ReadCache::forget`]): a late invalidation
    /// (the erasing request's own) must not write their version back.
    /// Ids are never reused; the set is bounded.
    forgotten: Mutex<HashSet<UserId>>,
}

/// Erased users remembered before the set starts over.
const FORGOTTEN: usize = 10_000;

/// What [`ReadCache::lookup`] found.
#[derive(Debug)]
pub enum Lookup {
    /// The stored bytes, loaded under the user's current version.
    Hit(Vec<u8>),
    /// Not cached (or only under an older version): load, then fill.
    Miss(Slot),
    /// Do not use the cache for this read.
    Bypass,
}

/// Where a missed view goes once loaded, under the version read with the
/// miss (so a write that landed meanwhile leaves it unread).
#[derive(Debug)]
pub struct Slot {
    cache: ReadCache,
    key: String,
    version: Vec<u8>,
}

impl Slot {
    /// Stores `payload` for the TTL (±10 %); a failure only costs a miss.
    pub async fn fill(self, payload: &[u8]) {
        let ttl = jittered(self.cache.inner.settings.ttl);
        let bytes = tagged(&self.version, payload);
        if let Err(error) = self
            .cache
            .call(self.cache.inner.store.set(&self.key, bytes, ttl))
            .await
        {
            self.cache.failed(&error, "fill");
        }
    }
}

/// A poisoned lock still holds consistent data here (plain sets/values).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Up to ±10 % of the TTL, so keys written together do not expire together.
fn jittered(ttl: Duration) -> Duration {
    ttl.mul_f64(rand::rng().random_range(0.9..1.1))
}

/// A cached value as stored: the version it was loaded under, a newline,
/// then its JSON. Versions are hex, so never hold a newline.
fn tagged(version: &[u8], json: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(version.len() + 1 + json.len());
    bytes.extend_from_slice(version);
    bytes.push(b'\n');
    bytes.extend_from_slice(json);
    bytes
}

/// The JSON of a stored value if it was loaded under `version`.
fn untagged<'a>(stored: &'a [u8], version: &[u8]) -> Option<&'a [u8]> {
    stored
        .strip_prefix(version)
        .and_then(|rest| rest.strip_prefix(b"\n"))
}

impl ReadCache {
    pub fn new(store: Arc<dyn CacheStore>, settings: CacheSettings) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                settings,
                stats: CacheStats::default(),
                down_until: Mutex::new(None),
                pending: Mutex::new(HashSet::new()),
                forgotten: Mutex::new(HashSet::new()),
            }),
        }
    }

    /// The store the views are kept in (shared with other short-lived
    /// values of the API, under their own key prefixes).
    pub fn store(&self) -> Arc<dyn CacheStore> {
        self.inner.store.clone()
    }

    pub fn stats(&self) -> &CacheStats {
        &self.inner.stats
    }

    /// `view` of `user` from the cache, else from `load` (then cached).
    /// Any cache failure falls back to `load`: the cache can make reads
    /// faster, never make them fail.
    pub async fn get_or_load<T, E, F, Fut>(&self, user: UserId, view: View, load: F) -> Result<T, E>
    where
        T: Serialize + DeserializeOwned,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let slot = match self.lookup(user, view).await {
            Lookup::Hit(payload) => match serde_json::from_slice(&payload) {
                Ok(value) => return Ok(value),
                Err(error) => {
                    self.inner.stats.error();
                    tracing::warn!(view = view.kind(), %error, "cached value does not decode; reloading");
                    None
                }
            },
            Lookup::Miss(slot) => Some(slot),
            Lookup::Bypass => None,
        };
        let value = load().await?;
        if let Some(slot) = slot {
            match serde_json::to_vec(&value) {
                Ok(json) => slot.fill(&json).await,
                Err(error) => {
                    self.inner.stats.error();
                    tracing::warn!(view = view.kind(), %error, "value does not encode; not cached");
                }
            }
        }
        Ok(value)
    }

    /// `view` of `user` as stored, if it is cached under the user's
    /// current version; else where to store it once loaded (a miss), or
    /// nothing (the cache is off, down, or the user's invalidation is
    /// pending: read the database and cache nothing).
    pub async fn lookup(&self, user: UserId, view: View) -> Lookup {
        if !self.inner.settings.enabled || self.is_down() {
            self.inner.stats.bypass();
            return Lookup::Bypass;
        }
        if self.has_pending() {
            self.retry_invalidations().await;
        }
        if lock(&self.inner.pending).contains(&user) {
            self.inner.stats.bypass();
            return Lookup::Bypass;
        }
        // The version is read before the database, with the value in the
        // same round trip: a write that lands after this point bumps it,
        // so whatever this read caches under the old version is never
        // served.
        let key = value_key(user, view);
        let (version, cached) = match self
            .call(self.inner.store.get_pair(&version_key(user), &key))
            .await
        {
            Ok((version, cached)) => (version.unwrap_or_else(|| b"0".to_vec()), cached),
            Err(error) => {
                self.failed(&error, "read");
                return Lookup::Bypass;
            }
        };
        if let Some(payload) = cached
            .as_deref()
            .and_then(|bytes| untagged(bytes, &version))
        {
            self.inner.stats.hit();
            return Lookup::Hit(payload.to_vec());
        }
        // Absent, or cached under an older version.
        self.inner.stats.miss();
        Lookup::Miss(Slot {
            cache: self.clone(),
            key,
            version,
        })
    }

    /// Gives `user` a new cache version: every view cached before is
    /// never read again. Call after the write committed and before it
    /// returns or announces itself. Always tried, even while the cache is
    /// considered down. If it fails, this process reads the user's views
    /// from the database and retries the invalidation (on its next cache
    /// read, and from [`ReadCache::retry_invalidations`]) until it lands;
    /// other replicas may serve views cached before the outage until then
    /// (or until they expire). The version lives 3× the TTL, outliving
    /// every value written under the previous one; an expired version
    /// reads as `0`, a namespace only ever filled after it expired.
    pub async fn invalidate(&self, user: UserId) {
        if lock(&self.inner.forgotten).contains(&user) {
            return;
        }
        if !self.try_invalidate(user).await {
            lock(&self.inner.pending).insert(user);
        }
    }

    /// Deletes everything cached for `user`, every version (their
    /// erasure): unlike [`Self::invalidate`] it waits for nothing to
    /// expire, and a failure is returned, so the erasure is retried.
    pub async fn forget(&self, user: UserId) -> Result<u64, InternalError> {
        {
            let mut forgotten = lock(&self.inner.forgotten);
            if forgotten.len() >= FORGOTTEN {
                forgotten.clear();
            }
            forgotten.insert(user);
        }
        let deleted = self.inner.store.delete_prefix(&user_prefix(user)).await?;
        lock(&self.inner.pending).remove(&user);
        Ok(deleted)
    }

    fn has_pending(&self) -> bool {
        !lock(&self.inner.pending).is_empty()
    }

    /// Retries the invalidations that failed; stops at the first failure.
    pub async fn retry_invalidations(&self) {
        let users: Vec<UserId> = lock(&self.inner.pending).iter().copied().collect();
        for user in users {
            if !self.try_invalidate(user).await {
                return;
            }
            lock(&self.inner.pending).remove(&user);
        }
    }

    async fn try_invalidate(&self, user: UserId) -> bool {
        let version = format!("{:016x}", rand::rng().random::<u64>());
        // Outlives every value written under the previous version, so an
        // expired version (read as "0") never resurrects old values.
        let ttl = self.inner.settings.ttl * 3;
        match self
            .call(
                self.inner
                    .store
                    .set(&version_key(user), version.into_bytes(), ttl),
            )
            .await
        {
            Ok(()) => {
                self.inner.stats.invalidation();
                true
            }
            Err(error) => {
                self.failed(&error, "invalidation");
                tracing::warn!(user_id = %user, "cache invalidation failed; will retry");
                false
            }
        }
    }

    async fn call<T>(
        &self,
        op: impl Future<Output = Result<T, InternalError>>,
    ) -> Result<T, InternalError> {
        tokio::time::timeout(self.inner.settings.timeout, op)
            .await
            .unwrap_or_else(|_| Err(InternalError::Cache("operation timed out".into())))
    }

    fn is_down(&self) -> bool {
        let mut down = lock(&self.inner.down_until);
        match *down {
            Some(until) if Instant::now() < until => true,
            Some(_) => {
                *down = None;
                false
            }
            None => false,
        }
    }

    fn failed(&self, error: &InternalError, during: &'static str) {
        self.inner.stats.error();
        let mut down = lock(&self.inner.down_until);
        if down.is_none() {
            tracing::warn!(%error, during, "cache unavailable; reading from the database");
        }
        *down = Some(Instant::now() + self.inner.settings.retry_after);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    use async_trait::async_trait;

    use super::*;
    use crate::month::Month;

    #[derive(Debug, Default)]
    struct FakeStore {
        values: Mutex<HashMap<String, Vec<u8>>>,
        broken: AtomicBool,
    }

    impl FakeStore {
        fn check(&self) -> Result<(), InternalError> {
            if self.broken.load(Ordering::SeqCst) {
                Err(InternalError::Cache("fake store down".into()))
            } else {
                Ok(())
            }
        }
    }

    #[async_trait]
    impl CacheStore for FakeStore {
        async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, InternalError> {
            self.check()?;
            Ok(self.values.lock().unwrap().get(key).cloned())
        }
        async fn set(&self, key: &str, value: Vec<u8>, _: Duration) -> Result<(), InternalError> {
            self.check()?;
            self.values.lock().unwrap().insert(key.to_owned(), value);
            Ok(())
        }
        async fn delete_prefix(&self, prefix: &str) -> Result<u64, InternalError> {
            self.check()?;
            let mut values = self.values.lock().unwrap();
            let before = values.len();
            values.retain(|key, _| !key.starts_with(prefix));
            Ok((before - values.len()) as u64)
        }
    }

    fn cache(store: Arc<FakeStore>, retry_after: Duration) -> ReadCache {
        ReadCache::new(
            store,
            CacheSettings {
                retry_after,
                ..CacheSettings::default()
            },
        )
    }

    const USER: UserId = UserId::new(7);

    fn view() -> View {
        View::Budget(Month::new(2026, 11).unwrap())
    }

    /// Loads `value`, counting the loads.
    async fn read(cache: &ReadCache, loads: &AtomicUsize, value: u32) -> u32 {
        cache
            .get_or_load(USER, view(), || async {
                loads.fetch_add(1, Ordering::SeqCst);
                Ok::<_, InternalError>(value)
            })
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn second_read_is_a_hit_until_the_user_writes() {
        let cache = cache(Arc::default(), Duration::from_secs(1));
        let loads = AtomicUsize::new(0);
        assert_eq!(read(&cache, &loads, 1).await, 1);
        assert_eq!(read(&cache, &loads, 2).await, 1, "served from the cache");
        assert_eq!(loads.load(Ordering::SeqCst), 1);
        cache.invalidate(USER).await;
        assert_eq!(read(&cache, &loads, 3).await, 3, "a write invalidates");
        assert_eq!(read(&cache, &loads, 4).await, 3);
        let counts = cache.stats().snapshot();
        assert_eq!(
            (counts.hits, counts.misses, counts.invalidations),
            (2, 2, 1)
        );
        assert_eq!(counts.errors, 0);
    }

    #[tokio::test]
    async fn forgetting_a_user_deletes_every_key_of_theirs_and_no_one_elses() {
        let store = Arc::new(FakeStore::default());
        let cache = cache(store.clone(), Duration::from_secs(1));
        let loads = AtomicUsize::new(0);
        read(&cache, &loads, 1).await;
        cache.invalidate(USER).await;
        read(&cache, &loads, 2).await;
        cache.invalidate(UserId::new(70)).await;
        let forgotten = cache.forget(USER).await.unwrap();
        assert_eq!(forgotten, 2, "the view and the version");
        let keys: Vec<String> = store.values.lock().unwrap().keys().cloned().collect();
        assert_eq!(keys, vec!["cache:{u70}:version".to_owned()]);
    }

    #[tokio::test]
    async fn another_users_write_leaves_the_view_cached() {
        let cache = cache(Arc::default(), Duration::from_secs(1));
        let loads = AtomicUsize::new(0);
        read(&cache, &loads, 1).await;
        cache.invalidate(UserId::new(8)).await;
        assert_eq!(read(&cache, &loads, 2).await, 1);
    }

    #[tokio::test]
    async fn a_broken_store_falls_back_to_the_loader_then_is_bypassed() {
        let store = Arc::new(FakeStore::default());
        let cache = cache(store.clone(), Duration::from_secs(60));
        let loads = AtomicUsize::new(0);
        read(&cache, &loads, 1).await;
        store.broken.store(true, Ordering::SeqCst);
        assert_eq!(read(&cache, &loads, 2).await, 2, "loaded despite the error");
        assert_eq!(read(&cache, &loads, 3).await, 3, "bypassed while down");
        let counts = cache.stats().snapshot();
        assert_eq!((counts.errors, counts.bypassed), (1, 1));
    }

    #[tokio::test]
    async fn the_cache_is_tried_again_after_the_retry_delay() {
        let store = Arc::new(FakeStore::default());
        let cache = cache(store.clone(), Duration::ZERO);
        let loads = AtomicUsize::new(0);
        store.broken.store(true, Ordering::SeqCst);
        read(&cache, &loads, 1).await;
        store.broken.store(false, Ordering::SeqCst);
        read(&cache, &loads, 2).await;
        assert_eq!(read(&cache, &loads, 3).await, 2, "cached again");
    }

    #[tokio::test]
    async fn a_lost_invalidation_bypasses_the_cache_until_it_is_retried() {
        let store = Arc::new(FakeStore::default());
        let cache = cache(store.clone(), Duration::ZERO);
        let loads = AtomicUsize::new(0);
        read(&cache, &loads, 1).await;
        store.broken.store(true, Ordering::SeqCst);
        cache.invalidate(USER).await; // lost: the old value is still stored
        store.broken.store(false, Ordering::SeqCst);
        assert_eq!(
            read(&cache, &loads, 2).await,
            2,
            "never the value from before the write"
        );
        assert_eq!(
            read(&cache, &loads, 3).await,
            2,
            "cached again once retried"
        );
        assert_eq!(cache.stats().snapshot().invalidations, 1);
    }

    #[tokio::test]
    async fn a_value_that_does_not_decode_is_reloaded() {
        let store = Arc::new(FakeStore::default());
        let cache = cache(store.clone(), Duration::from_secs(1));
        let loads = AtomicUsize::new(0);
        read(&cache, &loads, 1).await;
        for value in store.values.lock().unwrap().values_mut() {
            if value.ends_with(b"\n1") {
                let tag = value.len() - 1;
                value.truncate(tag);
                value.extend_from_slice(b"not json");
            }
        }
        assert_eq!(read(&cache, &loads, 5).await, 5);
        assert_eq!(loads.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn loader_errors_are_returned_and_not_cached() {
        let cache = cache(Arc::default(), Duration::from_secs(1));
        let failed: Result<u32, &str> = cache
            .get_or_load(USER, view(), || async { Err("db down") })
            .await;
        assert_eq!(failed, Err("db down"));
        let loads = AtomicUsize::new(0);
        assert_eq!(read(&cache, &loads, 9).await, 9);
    }

    #[tokio::test]
    async fn one_round_trip_reads_the_version_and_the_value_together() {
        let store = Arc::new(FakeStore::default());
        let cache = cache(store.clone(), Duration::from_secs(1));
        let loads = AtomicUsize::new(0);
        read(&cache, &loads, 1).await;
        cache.invalidate(USER).await;
        // The view is still stored, tagged with the version before the
        // write: it must read as a miss, not as the old value.
        let keys = store.values.lock().unwrap().len();
        assert_eq!(keys, 2, "one value per view, whatever the version");
        assert_eq!(read(&cache, &loads, 2).await, 2);
        assert_eq!(read(&cache, &loads, 3).await, 2);
    }

    #[test]
    fn a_value_is_only_read_under_the_version_it_was_loaded_under() {
        let stored = tagged(b"00ab", b"{}");
        assert_eq!(untagged(&stored, b"00ab"), Some(&b"{}"[..]));
        assert_eq!(untagged(&stored, b"00a"), None, "a prefix of the version");
        assert_eq!(untagged(&stored, b"0"), None);
        assert_eq!(untagged(b"00ab", b"00ab"), None, "no separator");
    }

    #[test]
    fn jitter_stays_within_ten_percent() {
        for _ in 0..1000 {
            let t = jittered(Duration::from_secs(100));
            assert!(t >= Duration::from_secs(90) && t <= Duration::from_secs(110));
        }
    }
}
