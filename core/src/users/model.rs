//! The user as the rest of the domain sees it.

use chrono::{DateTime, Utc};
use moneta_entities::users;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::UserId;
use crate::currency::Currency;
use crate::error::InternalError;
use crate::money::Money;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub created_at: DateTime<Utc>,
    /// What the user said they earn a month.
    pub monthly_income: Option<Money>,
    /// The currency spending and budgets count.
    pub home_currency: Currency,
}

impl From<users::Model> for User {
    fn from(m: users::Model) -> Self {
        Self {
            id: UserId::new(m.id),
            email: m.email,
            created_at: m.created_at,
            monthly_income: m.monthly_income_cents.map(Money::from_cents),
            // Only codes that parse are ever stored.
            home_currency: m.home_currency.parse().unwrap_or_default(),
        }
    }
}

/// The user with this id, unless they do not exist or asked to be
/// deleted; single-shard by construction.
pub async fn find(db: &impl ConnectionTrait, id: UserId) -> Result<Option<User>, InternalError> {
    Ok(users::Entity::find_by_id(id.get())
        .filter(users::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .map(User::from))
}

/// Whether the user exists and has not asked to be deleted: what an
/// authenticated request must resolve to. One primary-key read of one
/// column.
pub async fn is_live(db: &impl ConnectionTrait, id: UserId) -> Result<bool, InternalError> {
    let deleted_at: Option<Option<DateTime<Utc>>> = users::Entity::find_by_id(id.get())
        .select_only()
        .column(users::Column::DeletedAt)
        .into_tuple()
        .one(db)
        .await?;
    Ok(matches!(deleted_at, Some(None)))
}
