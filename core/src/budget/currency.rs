//! The user's home currency: what spending and budgets count, and what
//! they leave out (other currencies' accounts, listed apart).

use moneta_entities::{transactions, users};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, TransactionTrait as _};

use super::{BudgetError, BudgetService};
use crate::categories::Category;
use crate::currency::Currency;
use crate::error::InternalError;
use crate::money::Money;
use crate::month::Month;
use crate::spending::{self, Totals, foreign_accounts};
use crate::{UserId, crash_point};

/// A month's spending in one currency that is not the home currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    pub currency: Currency,
    /// Outflows positive, as spending; transfers not counted.
    pub spent: Money,
    pub transactions: u32,
}

impl BudgetService {
    /// Sets the currency spending and budgets count: every month with
    /// transactions is recomputed (and the cached views invalidated).
    pub async fn set_home_currency(
        &self,
        user: UserId,
        currency: Currency,
    ) -> Result<Currency, BudgetError> {
        let now = self.clock.now();
        let tx = self.db.begin().await.map_err(InternalError::from)?;
        users::Entity::update_many()
            .col_expr(
                users::Column::HomeCurrency,
                Expr::value(currency.to_string()),
            )
            .col_expr(users::Column::UpdatedAt, Expr::value(now))
            .filter(users::Column::Id.eq(user.get()))
            .exec(&tx)
            .await
            .map_err(InternalError::from)?;
        let months: Vec<i32> = transactions::Entity::find()
            .select_only()
            .column(transactions::Column::Month)
            .distinct()
            .filter(transactions::Column::UserId.eq(user.get()))
            .into_tuple()
            .all(&tx)
            .await
            .map_err(InternalError::from)?;
        let months = months
            .into_iter()
            .map(Month::from_int)
            .collect::<Result<Vec<_>, _>>()
            .map_err(InternalError::from)?;
        spending::mark(&tx, &self.ids, user, months, Totals::Stale, now).await?;
        tx.commit().await.map_err(InternalError::from)?;
        crash_point!("home_currency.committed");
        self.follow_up.settle(user).await?;
        tracing::info!(user_id = %user, currency = %currency, "home currency set");
        Ok(currency)
    }

    /// What `month`'s spending leaves out: per other currency, its
    /// accounts' spending (transfers apart) and how many transactions.
    pub async fn left_out(&self, user: UserId, month: Month) -> Result<Vec<LeftOut>, BudgetError> {
        let foreign = foreign_accounts(&self.db, user).await?;
        if foreign.is_empty() {
            return Ok(Vec::new());
        }
        let accounts = crate::accounts::list(&self.db, user).await?;
        let rows: Vec<(i64, String, Option<String>, i64)> = transactions::Entity::find()
            .select_only()
            .column(transactions::Column::AccountId)
            .column(transactions::Column::Category)
            .column(transactions::Column::UserCategory)
            .column(transactions::Column::AmountCents)
            .filter(transactions::Column::UserId.eq(user.get()))
            .filter(transactions::Column::Month.eq(month.as_int()))
            .filter(transactions::Column::AccountId.is_in(foreign.iter().copied()))
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(InternalError::from)?;
        let mut out: Vec<LeftOut> = Vec::new();
        for (account_id, computed, user_category, cents) in rows {
            let Some(account) = accounts.iter().find(|a| a.id == account_id) else {
                continue;
            };
            let category = user_category
                .unwrap_or(computed)
                .parse::<Category>()
                .map_err(InternalError::from)?;
            if category == Category::Transfer {
                continue;
            }
            let entry = match out.iter_mut().position(|l| l.currency == account.currency) {
                Some(i) => &mut out[i],
                None => {
                    out.push(LeftOut {
                        currency: account.currency,
                        spent: Money::ZERO,
                        transactions: 0,
                    });
                    let last = out.len() - 1;
                    &mut out[last]
                }
            };
            entry.spent += Money::from_cents(cents);
            entry.transactions += 1;
        }
        out.sort_by_key(|l| l.currency);
        Ok(out)
    }
}
