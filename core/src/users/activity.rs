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
    /// is not slowed, nor failed, by this write (a failure is logged).
    pub fn touch_in_background(&self, user: UserId) {
        let activity = self.clone();
        tokio::spawn(async move {
            if let Err(error) = activity.touch(user).await {
                tracing::warn!(%error, "activity not recorded");
            }
        });
    }

    pub async fn touch(&self, user: UserId) -> Result<(), InternalError> {
        let now = self.clock.now();
        {
            let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
            if seen.get(&user).is_some_and(|at| now - *at < RESOLUTION) {
                return Ok(());
            }
            if seen.len() >= REMEMBERED {
                seen.clear();
            }
            seen.insert(user, now);
        }
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
