use async_graphql::{ComplexObject, Context, Enum, Result, SimpleObject};
use moneta_core::budget as core;
use rust_decimal::Decimal;

use moneta_core::money::Money;

use super::{Category, Month};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "core::BudgetSource")]
pub enum BudgetSource {
    Template,
    Override,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "core::BudgetStatus")]
pub enum BudgetStatus {
    Under,
    Approaching,
    Exceeded,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "core::IncomeSource")]
pub enum IncomeSource {
    User,
    Estimated,
    None,
}

#[derive(SimpleObject)]
pub struct BudgetCategory {
    pub category: Category,
    pub budgeted: Decimal,
    pub spent: Decimal,
    pub remaining: Decimal,
    pub source: BudgetSource,
    pub status: BudgetStatus,
}

#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Budget {
    pub month: Month,
    pub monthly_income: Option<Decimal>,
    pub income_source: IncomeSource,
    pub categories: Vec<BudgetCategory>,
}

#[derive(SimpleObject)]
pub struct CategorySpending {
    pub category: Category,
    pub amount: Decimal,
}

impl From<core::Budget> for Budget {
    fn from(b: core::Budget) -> Self {
        Self {
            month: Month(b.month),
            monthly_income: b.income.monthly.map(Money::to_decimal),
            income_source: b.income.source.into(),
            categories: b
                .lines
                .into_iter()
                .map(|l| BudgetCategory {
                    category: l.category.into(),
                    budgeted: l.budgeted.to_decimal(),
                    spent: l.spent.to_decimal(),
                    remaining: l.remaining().to_decimal(),
                    source: l.source.into(),
                    status: l.status.into(),
                })
                .collect(),
        }
    }
}

/// A month's spending in a currency the budget does not count.
#[derive(SimpleObject)]
pub struct CurrencySpending {
    /// ISO 4217 code.
    pub currency: String,
    /// Outflows minus refunds, transfers apart, in that currency.
    pub spent: Decimal,
    pub transactions: u32,
}

#[ComplexObject]
impl Budget {
    /// The currency every amount of this budget is in (your home
    /// currency, `setHomeCurrency`). Amounts are never converted.
    async fn home_currency(&self, ctx: &Context<'_>) -> Result<String> {
        let me = crate::graphql::identity(ctx)?.user_id;
        let user = crate::graphql::services(ctx)?.users.find(me).await;
        Ok(crate::error::OrGql::or_gql(user)?
            .map(|u| u.home_currency.to_string())
            .unwrap_or_default())
    }

    /// What this budget leaves out: the month's spending in each other
    /// currency (accounts imported from files in that currency).
    async fn left_out(&self, ctx: &Context<'_>) -> Result<Vec<CurrencySpending>> {
        let me = crate::graphql::identity(ctx)?.user_id;
        let left_out = crate::graphql::services(ctx)?
            .budgets
            .left_out(me, self.month.0)
            .await;
        Ok(crate::error::OrGql::or_gql(left_out)?
            .into_iter()
            .map(|l| CurrencySpending {
                currency: l.currency.to_string(),
                spent: l.spent.to_decimal(),
                transactions: l.transactions,
            })
            .collect())
    }
}
