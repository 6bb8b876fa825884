//! Linked bank accounts, as the rest of the domain reads them.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use moneta_entities::accounts;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::UserId;
use crate::currency::Currency;
use crate::error::InternalError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountStatus {
    Syncing,
    Active,
    LoginRequired,
    Error,
}

impl AccountStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Syncing => "SYNCING",
            Self::Active => "ACTIVE",
            Self::LoginRequired => "LOGIN_REQUIRED",
            Self::Error => "ERROR",
        }
    }
}

impl FromStr for AccountStatus {
    type Err = InternalError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "SYNCING" => Self::Syncing,
            "ACTIVE" => Self::Active,
            "LOGIN_REQUIRED" => Self::LoginRequired,
            "ERROR" => Self::Error,
            other => return Err(InternalError::Corrupt(format!("account status {other:?}"))),
        })
    }
}

/// A linked account. Its credentials never leave the pipeline, so they are
/// not part of this type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub user_id: UserId,
    pub institution: String,
    pub login: String,
    pub display_name: String,
    pub status: AccountStatus,
    pub last_synced_at: Option<DateTime<Utc>>,
    /// The currency of the account's amounts.
    pub currency: Currency,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<accounts::Model> for Account {
    type Error = InternalError;

    fn try_from(m: accounts::Model) -> Result<Self, Self::Error> {
        Ok(Self {
            id: m.id,
            user_id: UserId::new(m.user_id),
            institution: m.institution,
            login: m.login,
            display_name: m.display_name,
            status: m.status.parse()?,
            last_synced_at: m.last_synced_at,
            currency: m.currency.parse().map_err(|_| {
                InternalError::Corrupt(format!("account currency {:?}", m.currency))
            })?,
            created_at: m.created_at,
        })
    }
}

/// The user's account with this id; another user's id finds nothing.
pub async fn find(
    db: &impl ConnectionTrait,
    user: UserId,
    id: i64,
) -> Result<Option<Account>, InternalError> {
    accounts::Entity::find()
        .filter(accounts::Column::UserId.eq(user.get()))
        .filter(accounts::Column::Id.eq(id))
        .one(db)
        .await?
        .map(Account::try_from)
        .transpose()
}

/// The user's accounts, oldest first.
pub async fn list(db: &impl ConnectionTrait, user: UserId) -> Result<Vec<Account>, InternalError> {
    accounts::Entity::find()
        .filter(accounts::Column::UserId.eq(user.get()))
        .order_by_asc(accounts::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Account::try_from)
        .collect()
}
