//! The user's manual override of one transaction's category.

use std::sync::Arc;

use moneta_entities::transactions;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait};

use super::Transaction;
use crate::categories::{Category, CategoryError, crowd};
use crate::clock::SharedClock;
use crate::spending::{FollowUp, Totals};
use crate::{IdGenerator, UserId, crash_point, spending};

#[derive(Debug, Clone)]
pub struct CategoryOverrides {
    pub db: DatabaseConnection,
    pub follow_up: FollowUp,
    pub ids: Arc<IdGenerator>,
    pub clock: SharedClock,
}

impl CategoryOverrides {
    /// Sets `user`'s category for one transaction.
    ///
    /// The choice is stored apart from the computed category, so a re-sync
    /// never overwrites it; it counts as the user's crowd vote for the
    /// seller (one vote per user and seller; a new choice moves it); no
    /// other transaction changes. The change commits with the record of the
    /// month it changed, then that follow-up is settled (spending, cached
    /// views, alerts) — by the sweeper if this process dies first.
    pub async fn set(
        &self,
        user: UserId,
        transaction_id: i64,
        category: Category,
    ) -> Result<Transaction, CategoryError> {
        let before = self.write(user, transaction_id, Some(category)).await?;
        if category != Category::Uncategorized && !before.seller_key.is_empty() {
            let now = self.clock.now();
            let change =
                crowd::record_vote(&self.db, user, &before.seller_key, category, now).await?;
            tracing::debug!(user_id = %user, seller = %before.seller_key, category = category.as_str(), ?change, "crowd vote");
        }
        self.settled(user, transaction_id, &before).await
    }

    /// Clears `user`'s override of one transaction: it returns to its
    /// automatic category (rule, transfer, dictionary or crowd, as
    /// computed when it arrived). The user's crowd vote for the seller
    /// stays (their other transactions may still say the same).
    pub async fn clear(
        &self,
        user: UserId,
        transaction_id: i64,
    ) -> Result<Transaction, CategoryError> {
        let before = self.write(user, transaction_id, None).await?;
        self.settled(user, transaction_id, &before).await
    }

    /// Writes the override with the record of its month; the row as it
    /// was before.
    async fn write(
        &self,
        user: UserId,
        transaction_id: i64,
        category: Option<Category>,
    ) -> Result<Transaction, CategoryError> {
        let now = self.clock.now();
        let before = super::find(&self.db, user, transaction_id)
            .await?
            .ok_or(CategoryError::TransactionNotFound)?;
        let tx = self.db.begin().await?;
        transactions::Entity::update_many()
            .col_expr(
                transactions::Column::UserCategory,
                Expr::value(category.map(Category::as_str)),
            )
            .col_expr(transactions::Column::UpdatedAt, Expr::value(now))
            .filter(transactions::Column::UserId.eq(user.get()))
            .filter(transactions::Column::Id.eq(transaction_id))
            .exec(&tx)
            .await?;
        spending::mark(&tx, &self.ids, user, [before.month], Totals::Stale, now).await?;
        tx.commit().await?;
        crash_point!("override.committed");
        Ok(before)
    }

    /// Settles the follow-up and reads the transaction back.
    async fn settled(
        &self,
        user: UserId,
        transaction_id: i64,
        before: &Transaction,
    ) -> Result<Transaction, CategoryError> {
        self.follow_up.settle(user).await?;
        let after = super::find(&self.db, user, transaction_id)
            .await?
            .ok_or(CategoryError::TransactionNotFound)?;
        tracing::info!(
            user_id = %user,
            transaction_id,
            from = before.category().as_str(),
            to = after.category().as_str(),
            "category overridden"
        );
        Ok(after)
    }
}
