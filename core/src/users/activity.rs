//! When a user was last active: what the daily sync keys on.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use moneta_entities::users;
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::UserId;
use crate::clock::SharedClock;
use crate::error::InternalError;

/// How often a user's activity is written at most.
pub const RESOLUTION: Duration = Duration::hours(1);
/// Users remembered per process before the memory is cleared.
const REMEMBERED: usize = 100_000;

/// Records authenticated requests as activity: at most one write per user
/// per hour, and none at all for a user this process saw within the hour.
#[derive(Debug, Clone)]
pub struct Activity {
    db: DatabaseConnection,
    clock: SharedClock,
    seen: Arc<Mutex<HashMap<UserId, DateTime<Utc>>>>,
}

impl Activity {
    pub fn new(db: DatabaseConnection, clock: SharedClock) -> Self {
        Self {
            db,
            clock,
            seen: Arc::default(),
        }
    }

    /// Records `user`'s activity without holding up the caller: a request
    /// is not slowed, nor failed, by this write (a failure is logged). A
    /// user seen within the resolution costs a lookup, not a task.
    pub fn touch_in_background(&self, user: UserId) {
        let Some(now) = self.due(user) else {
            return;
        };
        let activity = self.clone();
        tokio::spawn(async move {
            if let Err(error) = activity.record(user, now).await {
                tracing::warn!(%error, "activity not recorded");
            }
        });
    }

    pub async fn touch(&self, user: UserId) -> Result<(), InternalError> {
        match self.due(user) {
            Some(now) => self.record(user, now).await,
            None => Ok(()),
        }
    }

    /// Now, if `user`'s activity is due to be recorded (not seen by this
    /// process within the resolution); marks them seen.
    fn due(&self, user: UserId) -> Option<DateTime<Utc>> {
        let now = self.clock.now();
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.get(&user).is_some_and(|at| now - *at < RESOLUTION) {
            return None;
        }
        if seen.len() >= REMEMBERED {
            seen.clear();
        }
        seen.insert(user, now);
        Some(now)
    }

    async fn record(&self, user: UserId, now: DateTime<Utc>) -> Result<(), InternalError> {
        // The condition keeps replicas from each writing within the hour.
        users::Entity::update_many()
            .col_expr(users::Column::LastActiveAt, Expr::value(now))
            .filter(users::Column::Id.eq(user.get()))
            .filter(
                Condition::any()
                    .add(users::Column::LastActiveAt.is_null())
                    .add(users::Column::LastActiveAt.lt(now - RESOLUTION)),
            )
            .exec(&self.db)
            .await?;
        Ok(())
    }
}
