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
        let now = self.clock.now();
        let before = super::find(&self.db, user, transaction_id)
            .await?
            .ok_or(CategoryError::TransactionNotFound)?;
        let tx = self.db.begin().await?;
        transactions::Entity::update_many()
            .col_expr(
                transactions::Column::UserCategory,
                Expr::value(category.as_str()),
            )
            .col_expr(transactions::Column::UpdatedAt, Expr::value(now))
            .filter(transactions::Column::UserId.eq(user.get()))
            .filter(transactions::Column::Id.eq(transaction_id))
            .exec(&tx)
            .await?;
        spending::mark(&tx, &self.ids, user, [before.month], Totals::Stale, now).await?;
        tx.commit().await?;
        crash_point!("override.committed");
        if category != Category::Uncategorized && !before.seller_key.is_empty() {
            let change =
                crowd::record_vote(&self.db, user, &before.seller_key, category, now).await?;
            tracing::debug!(user_id = %user, seller = %before.seller_key, category = category.as_str(), ?change, "crowd vote");
        }
        self.follow_up.settle(user).await?;
        tracing::info!(
            user_id = %user,
            transaction_id,
            from = before.category().as_str(),
            to = category.as_str(),
            "category overridden"
        );
        super::find(&self.db, user, transaction_id)
            .await?
            .ok_or(CategoryError::TransactionNotFound)
    }
}
