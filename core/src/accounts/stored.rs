//! [`Accounts`]: what the API and the workers read of stored accounts,
//! and the status of a sync given up on.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use moneta_entities::accounts;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};

use super::{Account, find, list, mark_sync_abandoned};
use crate::cache::ReadCache;
use crate::error::InternalError;
use crate::{IdGenerator, UserId};

/// Stored accounts, over the database.
#[derive(Debug, Clone)]
pub struct Accounts {
    db: DatabaseConnection,
    ids: Arc<IdGenerator>,
    /// Invalidated when a status changes (the home screen shows it).
    cache: ReadCache,
}

impl Accounts {
    pub fn new(db: DatabaseConnection, ids: Arc<IdGenerator>, cache: ReadCache) -> Self {
        Self { db, ids, cache }
    }

    /// The user's account with this id; another user's id finds nothing.
    pub async fn find(&self, user: UserId, id: i64) -> Result<Option<Account>, InternalError> {
        find(&self.db, user, id).await
    }

    /// The user's accounts, oldest first.
    pub async fn list(&self, user: UserId) -> Result<Vec<Account>, InternalError> {
        list(&self.db, user).await
    }

    /// The user's accounts among `ids`, in one `user_id = ? AND id IN (…)`
    /// query (other users' ids find nothing).
    pub async fn find_many(
        &self,
        user: UserId,
        ids: Vec<i64>,
    ) -> Result<Vec<Account>, InternalError> {
        accounts::Entity::find()
            .filter(accounts::Column::UserId.eq(user.get()))
            .filter(accounts::Column::Id.is_in(ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(Account::try_from)
            .collect()
    }

    /// The (user, account id) of every account of `users`, in one query.
    pub async fn of_users(&self, users: &[UserId]) -> Result<Vec<(UserId, i64)>, InternalError> {
        let rows: Vec<(i64, i64)> = accounts::Entity::find()
            .select_only()
            .column(accounts::Column::UserId)
            .column(accounts::Column::Id)
            .filter(accounts::Column::UserId.is_in(users.iter().map(|u| u.get())))
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(user, id)| (UserId::new(user), id))
            .collect())
    }

    /// [`mark_sync_abandoned`]: the account goes to ERROR with a
    /// SYNC_FAILED notification if it is still SYNCING; returns whether it
    /// was marked.
    pub async fn mark_sync_abandoned(
        &self,
        user: UserId,
        account_id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, InternalError> {
        let marked = mark_sync_abandoned(&self.db, &self.ids, user, account_id, now).await?;
        if marked {
            self.cache.invalidate(user).await;
        }
        Ok(marked)
    }
}
