//! [`Users`]: what the API and the workers read of users — one user, their
//! export, and the daily sync's scan of the recently active.

use chrono::{DateTime, Utc};
use moneta_entities::users;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{Export, User, export, find};
use crate::UserId;
use crate::error::InternalError;

/// The users, over the database.
#[derive(Debug, Clone)]
pub struct Users {
    db: DatabaseConnection,
}

impl Users {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// [`find`]: the user, unless they do not exist or asked to be deleted.
    pub async fn find(&self, id: UserId) -> Result<Option<User>, InternalError> {
        find(&self.db, id).await
    }

    /// [`export`]: everything of `user`'s; `None` when there is no such
    /// (live) user.
    pub async fn export(
        &self,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<Export>, InternalError> {
        export(&self.db, user, now).await
    }

    /// Up to `limit` users with ids above `after`, in id order, active
    /// since `since` and not being deleted (nothing of theirs is synced
    /// again).
    ///
    /// Reviewed scatter query: keyset over `users.id` with a LIMIT, the one
    /// batch scan of the daily sync (the routing check's allowlist names it).
    pub async fn active_after(
        &self,
        after: UserId,
        since: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<UserId>, InternalError> {
        let ids: Vec<i64> = users::Entity::find()
            .select_only()
            .column(users::Column::Id)
            .filter(users::Column::Id.gt(after.get()))
            .filter(users::Column::LastActiveAt.gte(since))
            .filter(users::Column::DeletedAt.is_null())
            .order_by_asc(users::Column::Id)
            .limit(limit)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(ids.into_iter().map(UserId::new).collect())
    }
}
