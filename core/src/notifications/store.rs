//! Storing a notification: the one writer of the table.

use chrono::{DateTime, Utc};
use moneta_entities::notifications;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, SqlErr};

use super::NotificationKind;
use crate::categories::Category;
use crate::error::InternalError;
use crate::month::Month;
use crate::{IdGenerator, UserId};

/// A notification to store for a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub kind: NotificationKind,
    pub message: String,
    /// The budget line a budget alert is about.
    pub category: Option<Category>,
    pub month: Option<Month>,
}

impl NewNotification {
    /// A notification about no budget line (a sync's result).
    pub fn plain(kind: NotificationKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            category: None,
            month: None,
        }
    }
}

/// Stores `note`, unread, for `user` on `conn` (a connection, or the
/// transaction of the change it reports). Returns its id, or `None` when
/// this budget alert is stored already: the unique key (user, kind,
/// category, month) keeps each alert once under any concurrency, so of
/// racing evaluations exactly one gets an id (and publishes).
pub async fn store(
    conn: &impl ConnectionTrait,
    ids: &IdGenerator,
    user: UserId,
    note: NewNotification,
    now: DateTime<Utc>,
) -> Result<Option<i64>, InternalError> {
    let id = ids.next_id();
    let inserted = notifications::Entity::insert(notifications::ActiveModel {
        user_id: Set(user.get()),
        id: Set(id),
        kind: Set(note.kind.as_str().to_owned()),
        category: Set(note.category.map(|c| c.as_str().to_owned())),
        month: Set(note.month.map(Month::as_int)),
        message: Set(note.message),
        is_read: Set(false),
        created_at: Set(now),
    })
    .exec_without_returning(conn)
    .await;
    match inserted {
        Ok(_) => Ok(Some(id)),
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Ok(None),
        Err(e) => Err(e.into()),
    }
}
