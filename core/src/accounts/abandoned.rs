//! A sync given up on: the job failed every delivery it was allowed and
//! left the queue, so no sync is coming. An account still SYNCING says so
//! instead of waiting forever.

use chrono::{DateTime, Utc};
use moneta_entities::accounts;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait};

use super::AccountStatus;
use crate::error::InternalError;
use crate::notifications::{self, NewNotification, NotificationKind};
use crate::{IdGenerator, UserId};

/// What the user reads: a refresh queues a new sync.
pub const ABANDONED_MESSAGE: &str = "Account sync failed: please try refreshing";

/// Sets the account to ERROR and stores a SYNC_FAILED notification, in
/// one transaction, if the account is still SYNCING. An account whose
/// sync ended some other way (ACTIVE, LOGIN_REQUIRED, …) or that is gone
/// is left alone. Returns whether it was marked.
pub async fn mark_sync_abandoned(
    db: &DatabaseConnection,
    ids: &IdGenerator,
    user: UserId,
    account_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, InternalError> {
    let tx = db.begin().await?;
    let marked = accounts::Entity::update_many()
        .col_expr(
            accounts::Column::Status,
            Expr::value(AccountStatus::Error.as_str()),
        )
        .col_expr(accounts::Column::UpdatedAt, Expr::value(now))
        .filter(accounts::Column::UserId.eq(user.get()))
        .filter(accounts::Column::Id.eq(account_id))
        .filter(accounts::Column::Status.eq(AccountStatus::Syncing.as_str()))
        .exec(&tx)
        .await?
        .rows_affected
        == 1;
    if marked {
        let note = NewNotification::plain(NotificationKind::SyncFailed, ABANDONED_MESSAGE);
        notifications::store(&tx, ids, user, note, now).await?;
    }
    tx.commit().await?;
    Ok(marked)
}
