use async_graphql::{Enum, SimpleObject};
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
