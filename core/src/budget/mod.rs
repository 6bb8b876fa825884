//! Budgets: a template that spreads the monthly income over the ten
//! spending categories by income tier, the user's overrides on top, and
//! alerts when spending approaches or exceeds a category's budget.

mod alerts;
mod currency;
mod error;
mod income;
mod service;
mod template;

pub use alerts::{AlertLevel, evaluate_alerts, publish_alerts, store_alerts};
pub use currency::LeftOut;
pub use error::BudgetError;
pub use income::{Income, IncomeSource, estimate_income};
pub use service::{Budget, BudgetLine, BudgetService, BudgetSource, BudgetStatus, compute_budget};
pub use template::{Tier, template_amount, tier_for};
