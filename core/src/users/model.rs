//! The user as the rest of the domain sees it.

use chrono::{DateTime, Utc};
use moneta_entities::users;
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::UserId;
use crate::error::InternalError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub created_at: DateTime<Utc>,
    /// What the user said they earn a month, in cents.
    pub monthly_income_cents: Option<i64>,
}

impl From<users::Model> for User {
    fn from(m: users::Model) -> Self {
        Self {
            id: UserId::new(m.id),
            email: m.email,
            created_at: m.created_at,
            monthly_income_cents: m.monthly_income_cents,
        }
    }
}

/// The user with this id; single-shard by construction.
pub async fn find(db: &impl ConnectionTrait, id: UserId) -> Result<Option<User>, InternalError> {
    Ok(users::Entity::find_by_id(id.get())
        .one(db)
        .await?
        .map(User::from))
}
