//! [`Retention`]: the rules of this module over the database, for the
//! workers' retention jobs.

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use super::{
    BudgetAlertHorizon, ClaimHorizon, Horizon, RetentionError, purge_notifications,
    purge_refresh_tokens, release_abandoned_email_claims,
};

/// The retention rules, over the database. Each takes "now" and its
/// horizon and returns how many rows went.
#[derive(Debug, Clone)]
pub struct Retention {
    db: DatabaseConnection,
}

impl Retention {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// [`purge_refresh_tokens`].
    pub async fn purge_refresh_tokens(
        &self,
        now: DateTime<Utc>,
        horizon: Horizon,
    ) -> Result<u64, RetentionError> {
        purge_refresh_tokens(&self.db, now, horizon).await
    }

    /// [`purge_notifications`].
    pub async fn purge_notifications(
        &self,
        now: DateTime<Utc>,
        read_sync: Horizon,
        budget: BudgetAlertHorizon,
    ) -> Result<u64, RetentionError> {
        purge_notifications(&self.db, now, read_sync, budget).await
    }

    /// [`release_abandoned_email_claims`].
    pub async fn release_abandoned_email_claims(
        &self,
        now: DateTime<Utc>,
        horizon: ClaimHorizon,
    ) -> Result<u64, RetentionError> {
        release_abandoned_email_claims(&self.db, now, horizon).await
    }
}
