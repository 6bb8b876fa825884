use std::sync::Arc;
use std::time::Duration;

use moneta_core::clock::SharedClock;
use moneta_core::ports::{Checkpoints, JobQueue, Leases};
use moneta_core::retention::RetentionPolicy;
use moneta_core::sync::SyncPipeline;
use moneta_core::users::Erasure;
use sea_orm::DatabaseConnection;

use crate::metrics::JobMetrics;

/// What every job receives.
#[derive(Debug, Clone)]
pub struct WorkerContext {
    pub db: DatabaseConnection,
    pub queue: Arc<dyn JobQueue>,
    pub leases: Arc<dyn Leases>,
    /// How far the daily scan got today.
    pub checkpoints: Arc<dyn Checkpoints>,
    pub pipeline: SyncPipeline,
    pub clock: SharedClock,
    pub metrics: JobMetrics,
    /// Deliveries a sync job gets before it is dead-lettered
    /// (`MONETA_QUEUE_MAX_DELIVERIES`).
    pub max_deliveries: u64,
    /// The horizons of the retention jobs.
    pub retention: RetentionPolicy,
    /// Finishes erasures that stopped half-way.
    pub erasure: Erasure,
    /// How old a spending change's record must be before the sweeper
    /// settles it (younger ones are still being settled by their request
    /// or sync).
    pub sweep_after: Duration,
}
