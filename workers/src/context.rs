use std::sync::Arc;

use moneta_core::clock::SharedClock;
use moneta_core::ports::{JobQueue, Leases};
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
}
