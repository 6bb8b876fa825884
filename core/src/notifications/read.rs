//! Reading and marking the user's notifications.

use chrono::{DateTime, Utc};
use moneta_entities::notifications;
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::NotificationKind;
use crate::UserId;
use crate::categories::Category;
use crate::error::InternalError;
use crate::month::Month;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: i64,
    pub user_id: UserId,
    pub kind: NotificationKind,
    pub message: String,
    pub category: Option<Category>,
    pub month: Option<Month>,
    pub read: bool,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<notifications::Model> for Notification {
    type Error = InternalError;

    fn try_from(m: notifications::Model) -> Result<Self, Self::Error> {
        let corrupt = |what: &str| InternalError::Corrupt(format!("notification {what}"));
        Ok(Self {
            id: m.id,
            user_id: UserId::new(m.user_id),
            kind: NotificationKind::parse(&m.kind)?,
            message: m.message,
            category: m
                .category
                .map(|c| c.parse().map_err(|_| corrupt("category")))
                .transpose()?,
            month: m
                .month
                .map(|mo| Month::from_int(mo).map_err(|_| corrupt("month")))
                .transpose()?,
            read: m.is_read,
            created_at: m.created_at,
        })
    }
}

/// Where a page starts: strictly after this (created_at, id), newest first.
pub type Position = (DateTime<Utc>, i64);

/// Up to `limit` of the user's notifications, newest first.
pub async fn page(
    db: &impl ConnectionTrait,
    user: UserId,
    unread_only: bool,
    after: Option<Position>,
    limit: u64,
) -> Result<Vec<Notification>, InternalError> {
    use notifications::Column as C;
    let mut query = notifications::Entity::find().filter(C::UserId.eq(user.get()));
    if unread_only {
        query = query.filter(C::IsRead.eq(false));
    }
    if let Some((created_at, id)) = after {
        query = query.filter(
            Condition::any().add(C::CreatedAt.lt(created_at)).add(
                Condition::all()
                    .add(C::CreatedAt.eq(created_at))
                    .add(C::Id.lt(id)),
            ),
        );
    }
    query
        .order_by_desc(C::CreatedAt)
        .order_by_desc(C::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(Notification::try_from)
        .collect()
}

/// The user's notification with this id; another user's finds nothing.
pub async fn find(
    db: &impl ConnectionTrait,
    user: UserId,
    id: i64,
) -> Result<Option<Notification>, InternalError> {
    notifications::Entity::find()
        .filter(notifications::Column::UserId.eq(user.get()))
        .filter(notifications::Column::Id.eq(id))
        .one(db)
        .await?
        .map(Notification::try_from)
        .transpose()
}

/// Marks the user's notifications among `ids` read; other users' ids
/// change nothing. Returns how many changed.
pub async fn mark_read(
    db: &impl ConnectionTrait,
    user: UserId,
    ids: &[i64],
) -> Result<u64, InternalError> {
    if ids.is_empty() {
        return Ok(0);
    }
    let mut changed = 0;
    for chunk in ids.chunks(500) {
        changed += notifications::Entity::update_many()
            .col_expr(notifications::Column::IsRead, Expr::value(true))
            .filter(notifications::Column::UserId.eq(user.get()))
            .filter(notifications::Column::Id.is_in(chunk.iter().copied()))
            .filter(notifications::Column::IsRead.eq(false))
            .exec(db)
            .await?
            .rows_affected;
    }
    Ok(changed)
}

/// The users' notifications, over the database.
#[derive(Debug, Clone)]
pub struct Notifications {
    db: DatabaseConnection,
}

impl Notifications {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// [`page`]: up to `limit` of the user's notifications, newest first.
    pub async fn page(
        &self,
        user: UserId,
        unread_only: bool,
        after: Option<Position>,
        limit: u64,
    ) -> Result<Vec<Notification>, InternalError> {
        page(&self.db, user, unread_only, after, limit).await
    }

    /// [`find`]: the user's notification with this id.
    pub async fn find(&self, user: UserId, id: i64) -> Result<Option<Notification>, InternalError> {
        find(&self.db, user, id).await
    }

    /// [`mark_read`]: marks the user's notifications among `ids` read;
    /// returns how many changed.
    pub async fn mark_read(&self, user: UserId, ids: &[i64]) -> Result<u64, InternalError> {
        mark_read(&self.db, user, ids).await
    }
}
