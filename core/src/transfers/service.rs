//! A user's transfers: read, confirmed, or rejected (undone).

use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use moneta_entities::{transactions, transfers};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::TransferError;
use crate::categories::CategorySource;
use crate::clock::SharedClock;
use crate::error::InternalError;
use crate::month::Month;
use crate::spending::{self, FollowUp, Totals};
use crate::transactions::find;
use crate::{IdGenerator, UserId};

/// Where a detected pair stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferState {
    /// Found by the matcher; the user may confirm or reject it.
    Detected,
    /// The user said it is one.
    Confirmed,
    /// The user said it is not: both legs are back to their categories
    /// and never offered to the matcher again.
    Rejected,
}

impl TransferState {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Detected => "DETECTED",
            Self::Confirmed => "CONFIRMED",
            Self::Rejected => "REJECTED",
        }
    }
}

impl FromStr for TransferState {
    type Err = InternalError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Detected, Self::Confirmed, Self::Rejected]
            .into_iter()
            .find(|state| state.as_str() == s)
            .ok_or_else(|| InternalError::Corrupt(format!("transfer state {s:?}")))
    }
}

/// Money moved between two of the user's accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub id: i64,
    pub outflow_id: i64,
    pub inflow_id: i64,
    pub state: TransferState,
    /// In percent.
    pub confidence: u8,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<transfers::Model> for Transfer {
    type Error = InternalError;

    fn try_from(m: transfers::Model) -> Result<Self, Self::Error> {
        Ok(Self {
            id: m.id,
            outflow_id: m.outflow_id,
            inflow_id: m.inflow_id,
            state: m.state.parse()?,
            confidence: u8::try_from(m.confidence).unwrap_or(0),
            created_at: m.created_at,
        })
    }
}

/// The user's transfer with this id; another user's finds nothing.
pub async fn find_transfer(
    db: &impl ConnectionTrait,
    user: UserId,
    id: i64,
) -> Result<Option<Transfer>, InternalError> {
    transfers::Entity::find_by_id((user.get(), id))
        .one(db)
        .await?
        .map(Transfer::try_from)
        .transpose()
}

#[derive(Debug, Clone)]
pub struct Transfers {
    pub db: DatabaseConnection,
    pub ids: Arc<IdGenerator>,
    pub clock: SharedClock,
    pub follow_up: FollowUp,
}

impl Transfers {
    pub async fn find(&self, user: UserId, id: i64) -> Result<Option<Transfer>, InternalError> {
        find_transfer(&self.db, user, id).await
    }

    /// Confirms a detected transfer: it stays one, whatever later syncs
    /// bring. A rejected one cannot be confirmed (it is not found).
    pub async fn confirm(&self, user: UserId, id: i64) -> Result<Transfer, TransferError> {
        let now = self.clock.now();
        transfers::Entity::update_many()
            .col_expr(
                transfers::Column::State,
                Expr::value(TransferState::Confirmed.as_str()),
            )
            .col_expr(transfers::Column::UpdatedAt, Expr::value(now))
            .filter(transfers::Column::UserId.eq(user.get()))
            .filter(transfers::Column::Id.eq(id))
            .filter(transfers::Column::State.eq(TransferState::Detected.as_str()))
            .exec(&self.db)
            .await?;
        match self.find(user, id).await? {
            Some(t) if t.state != TransferState::Rejected => Ok(t),
            _ => Err(TransferError::NotFound),
        }
    }

    /// Rejects (undoes) a match: both legs get back the categories they
    /// had, spending follows, and the matcher never pairs them again.
    pub async fn reject(&self, user: UserId, id: i64) -> Result<Transfer, TransferError> {
        let now = self.clock.now();
        let tx = crate::db::begin_without_gap_locks(&self.db).await?;
        spending::take_turn(&tx, user).await?;
        let row = transfers::Entity::find_by_id((user.get(), id))
            .one(&tx)
            .await?
            .ok_or(TransferError::NotFound)?;
        if row.state == TransferState::Rejected.as_str() {
            tx.rollback().await?;
            return Err(TransferError::NotFound);
        }
        transfers::Entity::update_many()
            .col_expr(
                transfers::Column::State,
                Expr::value(TransferState::Rejected.as_str()),
            )
            .col_expr(transfers::Column::UpdatedAt, Expr::value(now))
            .filter(transfers::Column::UserId.eq(user.get()))
            .filter(transfers::Column::Id.eq(id))
            .exec(&tx)
            .await?;
        let legs = [
            (
                row.outflow_id,
                &row.outflow_previous_category,
                &row.outflow_previous_source,
            ),
            (
                row.inflow_id,
                &row.inflow_previous_category,
                &row.inflow_previous_source,
            ),
        ];
        let mut months = Vec::new();
        for (leg, category, source) in legs {
            transactions::Entity::update_many()
                .col_expr(
                    transactions::Column::Category,
                    Expr::value(category.as_str()),
                )
                .col_expr(
                    transactions::Column::CategorySource,
                    Expr::value(source.as_str()),
                )
                .col_expr(transactions::Column::UpdatedAt, Expr::value(now))
                .filter(transactions::Column::UserId.eq(user.get()))
                .filter(transactions::Column::Id.eq(leg))
                .filter(transactions::Column::TransferId.eq(id))
                .filter(transactions::Column::CategorySource.eq(CategorySource::Transfer.as_str()))
                .exec(&tx)
                .await?;
            if let Some(t) = find(&tx, user, leg).await? {
                months.push(t.month);
            }
        }
        let months: Vec<Month> = months;
        spending::mark(&tx, &self.ids, user, months, Totals::Stale, now).await?;
        tx.commit().await?;
        self.follow_up.settle(user).await?;
        tracing::info!(user_id = %user, transfer_id = id, "transfer rejected");
        self.find(user, id).await?.ok_or(TransferError::NotFound)
    }
}
