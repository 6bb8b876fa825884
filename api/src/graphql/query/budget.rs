use async_graphql::{Context, Object, Result};
use moneta_core::categories::Category as CoreCategory;

use crate::error::OrGql as _;
use crate::graphql::types::{Budget, CategorySpending, Month};
use crate::graphql::{identity, services};

#[derive(Default)]
pub struct BudgetQuery;

#[Object]
impl BudgetQuery {
    /// Spending per category for a month: the ten spending categories,
    /// outflows minus refunds, pending included.
    async fn monthly_spending(
        &self,
        ctx: &Context<'_>,
        month: Month,
    ) -> Result<Vec<CategorySpending>> {
        let me = identity(ctx)?.user_id;
        let spent = services(ctx)?
            .budgets
            .monthly_spending(me, month.0)
            .await
            .or_gql()?;
        Ok(CoreCategory::SPENDING
            .iter()
            .map(|c| CategorySpending {
                category: (*c).into(),
                amount: spent.get(c).copied().unwrap_or_default().to_decimal(),
            })
            .collect())
    }

    /// The month's budget: per spending category, budgeted, spent and status.
    async fn budget(&self, ctx: &Context<'_>, month: Month) -> Result<Budget> {
        let me = identity(ctx)?.user_id;
        services(ctx)?
            .budgets
            .budget(me, month.0)
            .await
            .map(Budget::from)
            .or_gql()
    }
}
