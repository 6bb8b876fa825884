//! Deleting a user and everything of theirs (the right to erasure).
//!
//! One erasure, in named steps, each safe to repeat:
//! 1. [`Erasure::mark`]: `users.deleted_at` is set. From then on sign-in
//!    and refresh refuse, [`super::find`] and [`super::is_live`] say the
//!    user is gone, and the daily sync skips them. The caller then ends
//!    their sessions (`AuthService::end_all_sessions`): access tokens
//!    refused, live sockets closed on every replica.
//! 2. Their rows, table by table ([`delete_rows`]): refresh tokens (the
//!    sessions) and accounts (credentials and sync cursors; a sync in
//!    flight stops at its next page, a queued one finds no account) first,
//!    then transactions, spending, budget overrides, notifications and
//!    crowd votes (each seller's tally taken down). Every statement names
//!    the user (`user_id = ? AND key IN (…)`, ≤ 500 keys) and commits
//!    alone: no transaction binds two users, none holds many locks.
//! 3. Their raw pages (`raw/<user>/`) and every cache key of theirs.
//! 4. The rows again: whatever a sync that was past its last page wrote
//!    meanwhile (its spending, its notification).
//! 5. The email claim, then the user row, last: a user row with
//!    `deleted_at` set is an erasure still to finish, and
//!    [`Erasure::resume_unfinished`] finds it after a crash.
//!
//! Per-user state outside the database goes in [`Erasure::forget_state`].

use std::sync::Arc;

use chrono::{DateTime, Utc};
use moneta_entities::{
    accounts, budget_overrides, category_rules, imports, monthly_spending, notifications,
    refresh_tokens, rule_application_changes, rule_applications, spending_changes, transactions,
    transfers, user_emails, users,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TryGetable,
    Value,
};

use crate::UserId;
use crate::auth::keyspace_id;
use crate::cache::ReadCache;
use crate::categories::crowd;
use crate::clock::SharedClock;
use crate::error::InternalError;
use crate::ports::RawPageStore;

/// Keys per statement (DESIGN.md §5, rule 7).
const BATCH: u64 = 500;

/// What erasing a user takes.
#[derive(Debug, Clone)]
pub struct Erasure {
    pub db: DatabaseConnection,
    pub raw_pages: Arc<dyn RawPageStore>,
    pub cache: ReadCache,
    pub clock: SharedClock,
}

/// What one run deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Erased {
    /// Rows of the user's tables, the user row and the email claim included.
    pub rows: u64,
    pub raw_pages: u64,
    pub cache_keys: u64,
    /// False when there was nothing to do: no such user, or one not marked.
    pub finished: bool,
}

impl Erasure {
    /// Marks `user` deleted (the first step); false when there is no such
    /// user. Marking twice keeps the first time.
    pub async fn mark(&self, user: UserId) -> Result<bool, InternalError> {
        users::Entity::update_many()
            .col_expr(users::Column::DeletedAt, Expr::value(self.clock.now()))
            .filter(users::Column::Id.eq(user.get()))
            .filter(users::Column::DeletedAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(users::Entity::find_by_id(user.get())
            .one(&self.db)
            .await?
            .is_some())
    }

    /// Finishes the erasure of a user already marked deleted; does
    /// nothing for a live user or one already gone. Idempotent: each step
    /// deletes what is left.
    pub async fn resume(&self, user: UserId) -> Result<Erased, InternalError> {
        let Some(row) = users::Entity::find_by_id(user.get())
            .filter(users::Column::DeletedAt.is_not_null())
            .one(&self.db)
            .await?
        else {
            return Ok(Erased::default());
        };
        let mut erased = Erased {
            finished: true,
            ..Erased::default()
        };
        let now = self.clock.now();
        erased.rows += delete_rows(&self.db, user, now).await?;
        (erased.raw_pages, erased.cache_keys) = self.forget_state(user).await?;
        erased.rows += delete_rows(&self.db, user, now).await?;
        erased.rows += user_emails::Entity::delete_many()
            .filter(user_emails::Column::EmailNormalized.eq(row.email_normalized.as_str()))
            .filter(user_emails::Column::KeyspaceId.eq(keyspace_id(user).to_vec()))
            .exec(&self.db)
            .await?
            .rows_affected;
        erased.rows += users::Entity::delete_many()
            .filter(users::Column::Id.eq(user.get()))
            .filter(users::Column::DeletedAt.is_not_null())
            .exec(&self.db)
            .await?
            .rows_affected;
        tracing::info!(
            user_id = %user,
            rows = erased.rows,
            raw_pages = erased.raw_pages,
            cache_keys = erased.cache_keys,
            "account deleted"
        );
        Ok(erased)
    }

    /// Everything kept about `user` outside the database: their raw pages
    /// and their cache keys. Returns how many of each went.
    pub async fn forget_state(&self, user: UserId) -> Result<(u64, u64), InternalError> {
        let pages = self
            .raw_pages
            .delete_prefix(&format!("raw/{user}/"))
            .await?;
        let keys = self.cache.forget(user).await?;
        Ok((pages, keys))
    }

    /// Finishes every erasure marked before `before` (one that crashed or
    /// failed half-way; later ones may still be running in their
    /// request); returns how many it finished. Reviewed scatter query: a
    /// keyset over `users.id` among users with `deleted_at` set (an
    /// index), `LIMIT 500` (routing check allowlist).
    pub async fn resume_unfinished(&self, before: DateTime<Utc>) -> Result<u64, InternalError> {
        let mut after = 0_i64;
        let mut finished = 0;
        loop {
            let batch: Vec<i64> = users::Entity::find()
                .select_only()
                .column(users::Column::Id)
                .filter(users::Column::Id.gt(after))
                .filter(users::Column::DeletedAt.lt(before))
                .order_by_asc(users::Column::Id)
                .limit(BATCH)
                .into_tuple()
                .all(&self.db)
                .await?;
            let Some(&last) = batch.last() else {
                break;
            };
            after = last;
            for user in &batch {
                if self.resume(UserId::new(*user)).await?.finished {
                    finished += 1;
                }
            }
            if (batch.len() as u64) < BATCH {
                break;
            }
        }
        Ok(finished)
    }
}

/// Deletes every row of `user` in every user-owned table but `users`;
/// returns how many.
async fn delete_rows(
    db: &DatabaseConnection,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<u64, InternalError> {
    use budget_overrides as bo;
    use monthly_spending as ms;
    use refresh_tokens as rt;
    let mut rows = 0;
    rows += delete_keyed::<rt::Entity, i64>(db, user, rt::Column::UserId, rt::Column::Id).await?;
    rows += delete_keyed::<accounts::Entity, i64>(
        db,
        user,
        accounts::Column::UserId,
        accounts::Column::Id,
    )
    .await?;
    rows += delete_keyed::<transactions::Entity, i64>(
        db,
        user,
        transactions::Column::UserId,
        transactions::Column::Id,
    )
    .await?;
    // Up to thirteen rows a month: ~500 a statement.
    rows +=
        delete_keyed::<ms::Entity, i32>(db, user, ms::Column::UserId, ms::Column::Month).await?;
    rows += delete_keyed::<bo::Entity, String>(db, user, bo::Column::UserId, bo::Column::Category)
        .await?;
    rows += delete_keyed::<spending_changes::Entity, i32>(
        db,
        user,
        spending_changes::Column::UserId,
        spending_changes::Column::Month,
    )
    .await?;
    rows += delete_keyed::<notifications::Entity, i64>(
        db,
        user,
        notifications::Column::UserId,
        notifications::Column::Id,
    )
    .await?;
    rows += delete_keyed::<category_rules::Entity, i64>(
        db,
        user,
        category_rules::Column::UserId,
        category_rules::Column::Id,
    )
    .await?;
    // The changes first: an interrupted erasure still finds their
    // applications to resume from.
    rows += delete_keyed::<rule_application_changes::Entity, i64>(
        db,
        user,
        rule_application_changes::Column::UserId,
        rule_application_changes::Column::TransactionId,
    )
    .await?;
    rows += delete_keyed::<rule_applications::Entity, i64>(
        db,
        user,
        rule_applications::Column::UserId,
        rule_applications::Column::Id,
    )
    .await?;
    rows += delete_keyed::<transfers::Entity, i64>(
        db,
        user,
        transfers::Column::UserId,
        transfers::Column::Id,
    )
    .await?;
    rows += delete_keyed::<imports::Entity, i64>(
        db,
        user,
        imports::Column::UserId,
        imports::Column::Id,
    )
    .await?;
    rows += crowd::retract_votes(db, user, now).await?;
    Ok(rows)
}

/// Deletes `user`'s rows of `E`, [`BATCH`] keys a statement: the keys
/// are read (`user_id = ? ORDER BY key LIMIT 500`), then deleted
/// (`user_id = ? AND key IN (…)`), until none is left.
async fn delete_keyed<E, K>(
    db: &DatabaseConnection,
    user: UserId,
    user_id: E::Column,
    key: E::Column,
) -> Result<u64, InternalError>
where
    E: EntityTrait,
    K: TryGetable + Into<Value>,
{
    let mut deleted = 0;
    loop {
        let keys: Vec<K> = E::find()
            .select_only()
            .column(key)
            .filter(user_id.eq(user.get()))
            .order_by_asc(key)
            .limit(BATCH)
            .into_tuple()
            .all(db)
            .await?;
        let read = keys.len() as u64;
        if read == 0 {
            return Ok(deleted);
        }
        deleted += E::delete_many()
            .filter(user_id.eq(user.get()))
            .filter(key.is_in(keys))
            .exec(db)
            .await?
            .rows_affected;
        if read < BATCH {
            return Ok(deleted);
        }
    }
}
