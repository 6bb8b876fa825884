//! Sync notifications: stored first (the truth), then published.

use chrono::{DateTime, Utc};
use moneta_entities::notifications;
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};

use crate::error::InternalError;
use crate::{IdGenerator, UserId};

pub async fn store(
    db: &DatabaseConnection,
    ids: &IdGenerator,
    user: UserId,
    kind: &str,
    message: String,
    now: DateTime<Utc>,
) -> Result<(), InternalError> {
    notifications::Entity::insert(notifications::ActiveModel {
        user_id: Set(user.get()),
        id: Set(ids.next_id()),
        kind: Set(kind.to_owned()),
        category: Set(None),
        month: Set(None),
        message: Set(message),
        is_read: Set(false),
        created_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}
