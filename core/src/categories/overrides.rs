//! The user's manual override of one transaction's category.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use moneta_entities::transactions;

use super::{Category, CategoryError, crowd};
use crate::clock::SharedClock;
use crate::transactions::Transaction;
use std::sync::Arc;

use crate::budget::evaluate_alerts;
use crate::cache::ReadCache;
use crate::month::Month;
use crate::ports::EventBus;
use crate::{IdGenerator, UserId, spending, transactions as txns};

#[derive(Debug, Clone)]
pub struct CategoryOverrides {
    pub db: DatabaseConnection,
    pub cache: ReadCache,
    pub events: Arc<dyn EventBus>,
    pub ids: Arc<IdGenerator>,
    pub clock: SharedClock,
}

impl CategoryOverrides {
    /// Sets `user`'s category for one transaction.
    ///
    /// The choice is stored apart from the computed category, so a re-sync
    /// never overwrites it; it counts as the user's crowd vote for the
    /// seller (one vote per user and seller; a new choice moves it); no
    /// other transaction changes. The month's spending is recomputed and,
    /// for the month in progress, its budget alerts evaluated.
    pub async fn set(
        &self,
        user: UserId,
        transaction_id: i64,
        category: Category,
    ) -> Result<Transaction, CategoryError> {
        let now = self.clock.now();
        let before = txns::find(&self.db, user, transaction_id)
            .await?
            .ok_or(CategoryError::TransactionNotFound)?;
        transactions::Entity::update_many()
            .col_expr(
                transactions::Column::UserCategory,
                Expr::value(category.as_str()),
            )
            .col_expr(transactions::Column::UpdatedAt, Expr::value(now))
            .filter(transactions::Column::UserId.eq(user.get()))
            .filter(transactions::Column::Id.eq(transaction_id))
            .exec(&self.db)
            .await?;
        if category != Category::Uncategorized && !before.seller_key.is_empty() {
            let change =
                crowd::record_vote(&self.db, user, &before.seller_key, category, now).await?;
            tracing::debug!(user_id = %user, seller = %before.seller_key, category = category.as_str(), ?change, "crowd vote");
        }
        spending::recompute_months(&self.db, user, &[before.month], now).await?;
        self.cache.invalidate(user).await;
        if Month::of(now).as_int() == before.month {
            evaluate_alerts(
                &self.db,
                &self.ids,
                self.events.as_ref(),
                user,
                Month::of(now),
                now,
            )
            .await?;
        }
        tracing::info!(
            user_id = %user,
            transaction_id,
            from = before.category().as_str(),
            to = category.as_str(),
            "category overridden"
        );
        txns::find(&self.db, user, transaction_id)
            .await?
            .ok_or(CategoryError::TransactionNotFound)
    }
}
