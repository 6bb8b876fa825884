//! The read cache's counters as Prometheus counters, read at scrape time
//! (the cache itself lives in `core`, which knows no Prometheus).

use std::sync::Mutex;

use moneta_core::cache::ReadCache;
use prometheus::core::{Collector, Desc};
use prometheus::proto::MetricFamily;
use prometheus::{IntCounter, IntCounterVec, Opts};

pub struct CacheCollector {
    cache: ReadCache,
    /// Scratch counters, set from a snapshot on every scrape.
    scratch: Mutex<(IntCounterVec, IntCounter)>,
    descs: Vec<Desc>,
}

impl CacheCollector {
    pub fn new(cache: ReadCache) -> Result<Self, prometheus::Error> {
        let requests = IntCounterVec::new(
            Opts::new(
                "cache_requests_total",
                "Cached reads by outcome: hit, miss, error (read from the database), bypass (cache considered down)",
            ),
            &["outcome"],
        )?;
        let invalidations = IntCounter::new(
            "cache_invalidations_total",
            "User cache versions bumped by writes",
        )?;
        let descs = requests
            .desc()
            .into_iter()
            .chain(invalidations.desc())
            .cloned()
            .collect();
        Ok(Self {
            cache,
            scratch: Mutex::new((requests, invalidations)),
            descs,
        })
    }
}

impl Collector for CacheCollector {
    fn desc(&self) -> Vec<&Desc> {
        self.descs.iter().collect()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        let counts = self.cache.stats().snapshot();
        let scratch = self
            .scratch
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (requests, invalidations) = &*scratch;
        requests.reset();
        invalidations.reset();
        for (outcome, n) in [
            ("hit", counts.hits),
            ("miss", counts.misses),
            ("error", counts.errors),
            ("bypass", counts.bypassed),
        ] {
            requests.with_label_values(&[outcome]).inc_by(n);
        }
        invalidations.inc_by(counts.invalidations);
        let mut families = requests.collect();
        families.extend(invalidations.collect());
        families
    }
}
