use std::sync::Arc;

use moneta_core::categories::Categorizer;
use moneta_core::clock::SharedClock;
use moneta_core::ports::EventBus;
use sea_orm::DatabaseConnection;

/// What every job receives.
#[derive(Debug, Clone)]
pub struct WorkerContext {
    pub db: DatabaseConnection,
    pub events: Arc<dyn EventBus>,
    pub clock: SharedClock,
    pub categorizer: Categorizer,
}
