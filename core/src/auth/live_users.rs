//! Whether the user a token names still exists: a valid signature proves
//! who the token was issued to, not that they are still a user.

use std::time::Duration;

use moka::sync::Cache;
use moneta_entities::users;
use sea_orm::{DatabaseConnection, EntityTrait as _};

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

    /// Whether `user` exists.
    pub async fn is_live(&self, user: UserId) -> Result<bool, InternalError> {
        if self.alive.contains_key(&user) {
            return Ok(true);
        }
        let found = users::Entity::find_by_id(user.get())
            .one(&self.db)
            .await?
            .is_some();
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
