//! A month's budget, and the user's changes to it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use moneta_entities::{budget_overrides, users};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, TransactionTrait,
};

use super::{BudgetError, Income, estimate_income, template_amount};
use crate::cache::{ReadCache, View};
use crate::categories::Category;
use crate::clock::SharedClock;
use crate::error::InternalError;
use crate::money::{AmountError, Money};
use crate::month::Month;
use crate::spending::{FollowUp, Totals};
use crate::{IdGenerator, UserId, crash_point, spending};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum BudgetSource {
    Template,
    Override,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum BudgetStatus {
    Under,
    Approaching,
    Exceeded,
}

impl BudgetStatus {
    /// APPROACHING from 80 % of the budget, EXCEEDED above 100 %. With no
    /// budget, any spending exceeds it.
    pub fn of(budgeted: Money, spent: Money) -> Self {
        if spent > budgeted {
            Self::Exceeded
        } else if spent > Money::ZERO && spent.scaled(5, 1) >= budgeted.scaled(4, 1) {
            Self::Approaching
        } else {
            Self::Under
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BudgetLine {
    pub category: Category,
    #[serde(rename = "budgeted_cents")]
    pub budgeted: Money,
    #[serde(rename = "spent_cents")]
    pub spent: Money,
    pub source: BudgetSource,
    pub status: BudgetStatus,
}

impl BudgetLine {
    pub fn remaining(&self) -> Money {
        self.budgeted - self.spent
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Budget {
    pub month: Month,
    pub income: Income,
    /// The ten spending categories, in display order.
    pub lines: Vec<BudgetLine>,
}

/// The user's budget for `month`: overrides where set, else the template
/// for the income, beside what was spent.
pub async fn compute_budget(
    db: &impl ConnectionTrait,
    user: UserId,
    month: Month,
) -> Result<Budget, InternalError> {
    let income = estimate_income(db, user, month).await?;
    let overrides: HashMap<String, Money> = budget_overrides::Entity::find()
        .filter(budget_overrides::Column::UserId.eq(user.get()))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.category, Money::from_cents(o.amount_cents)))
        .collect();
    let spent = spending::for_month(db, user, month).await?;
    let lines = Category::SPENDING
        .iter()
        .map(|&category| {
            let (budgeted, source) = match overrides.get(category.as_str()) {
                Some(&amount) => (amount, BudgetSource::Override),
                None => (
                    income
                        .monthly
                        .map_or(Money::ZERO, |i| template_amount(i, category)),
                    BudgetSource::Template,
                ),
            };
            let spent = spent.get(&category).copied().unwrap_or_default();
            BudgetLine {
                category,
                budgeted,
                spent,
                source,
                status: BudgetStatus::of(budgeted, spent),
            }
        })
        .collect();
    Ok(Budget {
        month,
        income,
        lines,
    })
}

/// Income and per-category budget changes; each commits with the record
/// of the month in progress (its alerts are owed a re-evaluation, even if
/// this process dies next), settles it, and returns the month's budget.
#[derive(Debug, Clone)]
pub struct BudgetService {
    pub db: DatabaseConnection,
    pub cache: ReadCache,
    pub follow_up: FollowUp,
    pub ids: Arc<IdGenerator>,
    pub clock: SharedClock,
}

fn invalid(field: &'static str) -> impl Fn(AmountError) -> BudgetError {
    move |e| BudgetError::Invalid {
        field,
        message: e.to_string(),
    }
}

impl BudgetService {
    pub fn current_month(&self) -> Month {
        Month::of(self.clock.now())
    }

    /// The month's budget, through the read cache.
    pub async fn budget(&self, user: UserId, month: Month) -> Result<Budget, BudgetError> {
        let budget = self
            .cache
            .get_or_load(user, View::Budget(month), || {
                compute_budget(&self.db, user, month)
            })
            .await?;
        Ok(budget)
    }

    /// The month's spending per category, through the read cache.
    pub async fn monthly_spending(
        &self,
        user: UserId,
        month: Month,
    ) -> Result<BTreeMap<Category, Money>, InternalError> {
        self.cache
            .get_or_load(user, View::MonthlySpending(month), || {
                spending::for_month(&self.db, user, month)
            })
            .await
    }

    pub async fn set_income(&self, user: UserId, amount: Decimal) -> Result<Budget, BudgetError> {
        let cents = Money::amount(amount)
            .map_err(invalid("monthlyIncome"))?
            .cents();
        let tx = self.db.begin().await.map_err(InternalError::from)?;
        users::Entity::update_many()
            .col_expr(users::Column::MonthlyIncomeCents, Expr::value(cents))
            .col_expr(users::Column::UpdatedAt, Expr::value(self.clock.now()))
            .filter(users::Column::Id.eq(user.get()))
            .exec(&tx)
            .await
            .map_err(InternalError::from)?;
        self.commit_change(tx, user).await
    }

    pub async fn set_budget(
        &self,
        user: UserId,
        category: Category,
        amount: Decimal,
    ) -> Result<Budget, BudgetError> {
        if !category.is_spending() {
            return Err(BudgetError::Invalid {
                field: "category",
                message: "only the ten spending categories have a budget".into(),
            });
        }
        let cents = Money::amount(amount).map_err(invalid("amount"))?.cents();
        let tx = self.db.begin().await.map_err(InternalError::from)?;
        budget_overrides::Entity::insert(budget_overrides::ActiveModel {
            user_id: Set(user.get()),
            category: Set(category.as_str().to_owned()),
            amount_cents: Set(cents),
            updated_at: Set(self.clock.now()),
        })
        .on_conflict(
            OnConflict::columns([
                budget_overrides::Column::UserId,
                budget_overrides::Column::Category,
            ])
            .update_columns([
                budget_overrides::Column::AmountCents,
                budget_overrides::Column::UpdatedAt,
            ])
            .to_owned(),
        )
        .exec_without_returning(&tx)
        .await
        .map_err(InternalError::from)?;
        self.commit_change(tx, user).await
    }

    pub async fn reset_budget(
        &self,
        user: UserId,
        category: Category,
    ) -> Result<Budget, BudgetError> {
        let tx = self.db.begin().await.map_err(InternalError::from)?;
        budget_overrides::Entity::delete_many()
            .filter(budget_overrides::Column::UserId.eq(user.get()))
            .filter(budget_overrides::Column::Category.eq(category.as_str()))
            .exec(&tx)
            .await
            .map_err(InternalError::from)?;
        self.commit_change(tx, user).await
    }

    /// Commits a budget change together with the record of the month in
    /// progress, then settles it (cached views, alerts).
    async fn commit_change(
        &self,
        tx: DatabaseTransaction,
        user: UserId,
    ) -> Result<Budget, BudgetError> {
        let month = self.current_month();
        // Budgets and incomes leave the spending totals as they are.
        let now = self.clock.now();
        spending::mark(&tx, &self.ids, user, [month], Totals::Current, now).await?;
        tx.commit().await.map_err(InternalError::from)?;
        crash_point!("budget.committed");
        self.follow_up.settle(user).await?;
        self.budget(user, month).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_thresholds() {
        let status = |budgeted, spent| {
            BudgetStatus::of(Money::from_cents(budgeted), Money::from_cents(spent))
        };
        assert_eq!(status(10_000, 0), BudgetStatus::Under);
        assert_eq!(status(10_000, 7_999), BudgetStatus::Under);
        assert_eq!(status(10_000, 8_000), BudgetStatus::Approaching);
        assert_eq!(status(10_000, 10_000), BudgetStatus::Approaching);
        assert_eq!(status(10_000, 10_001), BudgetStatus::Exceeded);
        assert_eq!(status(0, 0), BudgetStatus::Under);
        assert_eq!(status(0, 1), BudgetStatus::Exceeded);
        assert_eq!(status(10_000, -500), BudgetStatus::Under);
    }
}
