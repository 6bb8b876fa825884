//! Storing a notification: the one writer of the table.

use chrono::{DateTime, SubsecRound as _, Utc};
use moneta_entities::notifications;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, SqlErr};

use super::{Notification, NotificationKind};
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
/// transaction of the change it reports). Returns it as stored (its time
/// to the microsecond, as `DATETIME(6)` keeps it), or `None` when this
/// budget alert is stored already: the unique key (user, kind, category,
/// month) keeps each alert once under any concurrency, so of racing
/// evaluations exactly one gets it (and publishes).
///
/// A message longer than the column (512 characters) is cut, with `…`.
pub async fn store(
    conn: &impl ConnectionTrait,
    ids: &IdGenerator,
    user: UserId,
    note: NewNotification,
    now: DateTime<Utc>,
) -> Result<Option<Notification>, InternalError> {
    let stored = Notification {
        id: ids.next_id(),
        user_id: user,
        kind: note.kind,
        message: fit(note.message),
        category: note.category,
        month: note.month,
        read: false,
        created_at: now.trunc_subsecs(6),
    };
    let inserted = notifications::Entity::insert(notifications::ActiveModel {
        user_id: Set(user.get()),
        id: Set(stored.id),
        kind: Set(stored.kind.as_str().to_owned()),
        category: Set(stored.category.map(|c| c.as_str().to_owned())),
        month: Set(stored.month.map(Month::as_int)),
        message: Set(stored.message.clone()),
        is_read: Set(false),
        created_at: Set(stored.created_at),
    })
    .exec_without_returning(conn)
    .await;
    match inserted {
        Ok(_) => Ok(Some(stored)),
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The column holds 512 characters.
const MAX_MESSAGE: usize = 512;

fn fit(message: String) -> String {
    if message.chars().count() <= MAX_MESSAGE {
        return message;
    }
    let mut cut: String = message.chars().take(MAX_MESSAGE - 1).collect();
    cut.push('…');
    cut
}
