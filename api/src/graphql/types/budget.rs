use async_graphql::{Enum, SimpleObject};
use moneta_core::budget as core;
use rust_decimal::Decimal;

use super::{Category, Month, cents_to_decimal};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum BudgetSource {
    Template,
    Override,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum BudgetStatus {
    Under,
    Approaching,
    Exceeded,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
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
            monthly_income: b.income.monthly_cents.map(cents_to_decimal),
            income_source: match b.income.source {
                core::IncomeSource::User => IncomeSource::User,
                core::IncomeSource::Estimated => IncomeSource::Estimated,
                core::IncomeSource::None => IncomeSource::None,
            },
            categories: b
                .lines
                .into_iter()
                .map(|l| BudgetCategory {
                    category: l.category.into(),
                    budgeted: cents_to_decimal(l.budgeted_cents),
                    spent: cents_to_decimal(l.spent_cents),
                    remaining: cents_to_decimal(l.remaining_cents()),
                    source: match l.source {
                        core::BudgetSource::Template => BudgetSource::Template,
                        core::BudgetSource::Override => BudgetSource::Override,
                    },
                    status: match l.status {
                        core::BudgetStatus::Under => BudgetStatus::Under,
                        core::BudgetStatus::Approaching => BudgetStatus::Approaching,
                        core::BudgetStatus::Exceeded => BudgetStatus::Exceeded,
                    },
                })
                .collect(),
        }
    }
}
