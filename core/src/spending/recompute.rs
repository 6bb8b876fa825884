//! Recomputing a user's monthly spending from their transactions.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use moneta_entities::{monthly_spending, transactions};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
};

use super::{foreign_accounts, take_turn};
use crate::UserId;
use crate::categories::Category;
use crate::error::{InternalError, TransientRetry};
use crate::money::Money;
use crate::month::Month;

/// Recomputes `monthly_spending` of `user` for `months` from the
/// transactions of the accounts in their home currency, in one database transaction on the user's shard. The
/// result depends only on the transactions, so running it twice is harmless.
///
/// Writers of one user's totals (two accounts' syncs, a sync and the
/// sweeper) take turns ([`take_turn`]): each then reads the transactions
/// committed before it got its turn (READ COMMITTED reads afresh at each
/// statement), so the later one never writes totals older than the
/// earlier one's, and neither inserts beside the other's rows.
pub async fn recompute_months(
    db: &DatabaseConnection,
    user: UserId,
    months: &[Month],
    now: DateTime<Utc>,
) -> Result<(), InternalError> {
    if months.is_empty() {
        return Ok(());
    }
    let mut retry = TransientRetry::default();
    loop {
        match recompute_once(db, user, months, now).await {
            Err(e) if retry.again(&e).await => {}
            other => return other,
        }
    }
}

async fn recompute_once(
    db: &DatabaseConnection,
    user: UserId,
    months: &[Month],
    now: DateTime<Utc>,
) -> Result<(), InternalError> {
    let tx = crate::db::begin_without_gap_locks(db).await?;
    take_turn(&tx, user).await?;
    let foreign = foreign_accounts(&tx, user).await?;
    let rows: Vec<(i64, i32, String, Option<String>, i64)> = transactions::Entity::find()
        .select_only()
        .column(transactions::Column::AccountId)
        .column(transactions::Column::Month)
        .column(transactions::Column::Category)
        .column(transactions::Column::UserCategory)
        .column(transactions::Column::AmountCents)
        .filter(transactions::Column::UserId.eq(user.get()))
        .filter(transactions::Column::Month.is_in(months.iter().map(|m| m.as_int())))
        .into_tuple()
        .all(&tx)
        .await?;
    let mut totals: BTreeMap<(Month, Category), Money> = BTreeMap::new();
    for (account_id, month, computed, user_category, amount) in rows {
        if foreign.contains(&account_id) {
            continue;
        }
        let month = Month::from_int(month)?;
        let category = user_category.unwrap_or(computed).parse::<Category>()?;
        *totals.entry((month, category)).or_default() += Money::from_cents(amount);
    }
    // A zero total is no spending (what `adjust` may leave stored).
    totals.retain(|_, total| *total != Money::ZERO);
    monthly_spending::Entity::delete_many()
        .filter(monthly_spending::Column::UserId.eq(user.get()))
        .filter(monthly_spending::Column::Month.is_in(months.iter().map(|m| m.as_int())))
        .exec(&tx)
        .await?;
    if !totals.is_empty() {
        monthly_spending::Entity::insert_many(totals.into_iter().map(
            |((month, category), amount)| monthly_spending::ActiveModel {
                user_id: Set(user.get()),
                month: Set(month.as_int()),
                category: Set(category.as_str().to_owned()),
                amount_cents: Set(amount.cents()),
                updated_at: Set(now),
            },
        ))
        .exec_without_returning(&tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
