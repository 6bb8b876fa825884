use std::sync::Arc;
use std::time::Duration;

use moneta_core::accounts::Accounts;
use moneta_core::clock::SharedClock;
use moneta_core::ports::{Checkpoints, JobQueue, Leases};
use moneta_core::retention::{Retention, RetentionPolicy};
use moneta_core::sync::SyncPipeline;
use moneta_core::users::{Erasure, Users};

use crate::metrics::JobMetrics;

/// What every job receives. Jobs reach the database only through the
/// services of `core` held here.
#[derive(Debug, Clone)]
pub struct WorkerContext {
    /// The daily scan's users.
    pub users: Users,
    /// The daily scan's accounts; a dead-lettered sync's account.
    pub accounts: Accounts,
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
    /// The retention rules the retention jobs run with those horizons.
    pub retention_rules: Retention,
    /// Finishes erasures that stopped half-way.
    pub erasure: Erasure,
    /// How old a spending change's record must be before the sweeper
    /// settles it (younger ones are still being settled by their request
    /// or sync).
    pub sweep_after: Duration,
}
