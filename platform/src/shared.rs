//! The adapters that are Redis in a cluster and in-process otherwise,
//! built together from the settings: one place decides which.

use std::sync::Arc;
use std::time::Duration;

use moneta_core::ports::{
    CacheStore, Checkpoints, EventBus, HealthProbe, JobQueue, Leases, RateLimiter,
};

use crate::cache::{InProcessCache, RedisCache};
use crate::checkpoint::{InProcessCheckpoints, RedisCheckpoints};
use crate::config::Settings;
use crate::event_bus::{InProcessEventBus, RedisEventBus};
use crate::health::{InProcessProbe, RedisProbe};
use crate::lease::{InProcessLeases, RedisLeases};
use crate::queue::{InProcessJobQueue, RedisJobQueue};
use crate::rate_limit::{
    BatchedCharges, FallbackRateLimiter, InProcessRateLimiter, RedisRateLimiter,
};
use crate::redis::Redis;

/// What every replica of a cluster shares (through Redis), or what one
/// process keeps to itself (the embedded default).
#[derive(Debug, Clone)]
pub struct SharedState {
    pub events: Arc<dyn EventBus>,
    pub queue: Arc<dyn JobQueue>,
    pub leases: Arc<dyn Leases>,
    pub rate_limiter: Arc<dyn RateLimiter>,
    pub cache: Arc<dyn CacheStore>,
    pub checkpoints: Arc<dyn Checkpoints>,
    /// Whether Redis (or its in-process stand-in) answers.
    pub probe: Arc<dyn HealthProbe>,
}

/// A Redis connection that did not come up, and at which step.
#[derive(Debug, thiserror::Error)]
pub enum SharedStateError {
    #[error("connecting to Redis")]
    Connect(#[source] fred::error::Error),
    #[error("subscribing to Redis events")]
    Events(#[source] fred::error::Error),
    #[error("opening the Redis job stream")]
    Queue(#[source] fred::error::Error),
}

impl SharedState {
    /// Redis when `MONETA_REDIS_URL` is set, else the in-process stand-ins.
    pub async fn connect(settings: &Settings) -> Result<Self, SharedStateError> {
        let reclaim_after = Duration::from_secs(settings.queue_reclaim_secs);
        let Some(url) = &settings.redis_url else {
            return Ok(Self {
                events: Arc::new(InProcessEventBus::default()),
                queue: Arc::new(InProcessJobQueue::new(reclaim_after)),
                leases: Arc::new(InProcessLeases::new()),
                rate_limiter: Arc::new(InProcessRateLimiter::default()),
                cache: Arc::new(InProcessCache::default()),
                checkpoints: Arc::new(InProcessCheckpoints::default()),
                probe: Arc::new(InProcessProbe),
            });
        };
        let ca_file = settings.tls.redis_tls_ca_file.as_deref();
        let redis = Redis::connect_with_ca(url, &settings.redis_prefix, ca_file)
            .await
            .map_err(SharedStateError::Connect)?;
        Ok(Self {
            events: Arc::new(
                RedisEventBus::start(redis.clone())
                    .await
                    .map_err(SharedStateError::Events)?,
            ),
            queue: Arc::new(
                RedisJobQueue::start(redis.clone(), reclaim_after)
                    .await
                    .map_err(SharedStateError::Queue)?,
            ),
            leases: Arc::new(RedisLeases::new(redis.clone())),
            rate_limiter: Arc::new(BatchedCharges::new(Arc::new(FallbackRateLimiter::new(
                Arc::new(RedisRateLimiter::new(redis.clone())),
            )))),
            cache: Arc::new(RedisCache::new(redis.clone())),
            checkpoints: Arc::new(RedisCheckpoints::new(redis.clone())),
            probe: Arc::new(RedisProbe(redis)),
        })
    }
}
