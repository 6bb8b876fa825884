//! Whether the user a token names still exists and is not being deleted: a valid signature proves
//! who the token was issued to, not that they are still a user.

use std::time::Duration;

use moka::sync::Cache;
use sea_orm::DatabaseConnection;

use crate::UserId;
use crate::error::InternalError;

/// How long a user found alive is believed alive without asking again. It
/// bounds how long another replica keeps accepting a removed user's token;
/// the replica that removes them forgets at once.
pub const BELIEVED_FOR: Duration = Duration::from_secs(5);
/// Users remembered per process.
const CAPACITY: u64 = 100_000;

/// Live users, cached briefly per process. Only a positive answer is
/// cached: a token for a missing user is looked up each time (it costs the
/// caller a primary-key read, and the answer cannot go stale).
#[derive(Debug, Clone)]
pub struct LiveUsers {
    db: DatabaseConnection,
    alive: Cache<UserId, ()>,
}

impl LiveUsers {
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            alive: Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(BELIEVED_FOR)
                .build(),
        }
    }

    /// Whether `user` exists and has not asked to be deleted.
    pub async fn is_live(&self, user: UserId) -> Result<bool, InternalError> {
        if self.alive.contains_key(&user) {
            return Ok(true);
        }
        let found = crate::users::is_live(&self.db, user).await?;
        if found {
            self.alive.insert(user, ());
        }
        Ok(found)
    }

    /// Stops believing `user` is alive (they are being removed).
    pub fn forget(&self, user: UserId) {
        self.alive.invalidate(&user);
    }
}
