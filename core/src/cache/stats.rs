//! Counters of what the cache did, read by the metrics endpoint.

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct CacheStats {
    hits: AtomicU64,
    misses: AtomicU64,
    errors: AtomicU64,
    bypassed: AtomicU64,
    invalidations: AtomicU64,
}

/// A snapshot of [`CacheStats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheCounts {
    /// Reads answered from the cache.
    pub hits: u64,
    /// Reads that loaded from the database and filled the cache.
    pub misses: u64,
    /// Cache operations that failed (the read then used the database).
    pub errors: u64,
    /// Reads that went straight to the database while the cache was
    /// considered down after an error.
    pub bypassed: u64,
    /// Versions bumped by writes.
    pub invalidations: u64,
}

impl CacheStats {
    pub(super) fn hit(&self) {
        self.hits.fetch_add(1, Ordering::Relaxed);
    }
    pub(super) fn miss(&self) {
        self.misses.fetch_add(1, Ordering::Relaxed);
    }
    pub(super) fn error(&self) {
        self.errors.fetch_add(1, Ordering::Relaxed);
    }
    pub(super) fn bypass(&self) {
        self.bypassed.fetch_add(1, Ordering::Relaxed);
    }
    pub(super) fn invalidation(&self) {
        self.invalidations.fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> CacheCounts {
        CacheCounts {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            errors: self.errors.load(Ordering::Relaxed),
            bypassed: self.bypassed.load(Ordering::Relaxed),
            invalidations: self.invalidations.load(Ordering::Relaxed),
        }
    }
}
