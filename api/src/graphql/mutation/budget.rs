use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use moneta_core::budget::BudgetError;
use rust_decimal::Decimal;

use crate::error::{OrGql as _, user_errors};
use crate::graphql::ids::{self, Kind};
use crate::graphql::types::{Budget, Category, UserError};
use crate::graphql::{identity, services};

#[derive(InputObject)]
pub struct SetIncomeInput {
    pub monthly_income: Decimal,
}

#[derive(InputObject)]
pub struct SetBudgetInput {
    pub category: Category,
    pub amount: Decimal,
}

#[derive(InputObject)]
pub struct ResetBudgetInput {
    pub category: Category,
}

#[derive(SimpleObject)]
pub struct BudgetPayload {
    pub budget: Option<Budget>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct MarkNotificationsReadInput {
    pub ids: Vec<ID>,
}

#[derive(SimpleObject)]
pub struct MarkNotificationsReadPayload {
    pub updated_count: i32,
    pub user_errors: Vec<UserError>,
}

fn payload(
    result: std::result::Result<moneta_core::budget::Budget, BudgetError>,
) -> Result<BudgetPayload> {
    Ok(match result {
        Ok(budget) => BudgetPayload {
            budget: Some(budget.into()),
            user_errors: Vec::new(),
        },
        Err(err) => BudgetPayload {
            budget: None,
            user_errors: user_errors(err)?,
        },
    })
}

#[derive(Default)]
pub struct BudgetMutation;

#[Object]
impl BudgetMutation {
    /// Sets the monthly income the budget template works from. Returns the
    /// current month's budget.
    async fn set_income(&self, ctx: &Context<'_>, input: SetIncomeInput) -> Result<BudgetPayload> {
        let me = identity(ctx)?.user_id;
        payload(
            services(ctx)?
                .budgets
                .set_income(me, input.monthly_income)
                .await,
        )
    }

    /// Overrides one category's monthly budget. Returns the current month's budget.
    async fn set_budget(&self, ctx: &Context<'_>, input: SetBudgetInput) -> Result<BudgetPayload> {
        let me = identity(ctx)?.user_id;
        payload(
            services(ctx)?
                .budgets
                .set_budget(me, input.category.into(), input.amount)
                .await,
        )
    }

    /// Returns one category to the template. Returns the current month's budget.
    async fn reset_budget(
        &self,
        ctx: &Context<'_>,
        input: ResetBudgetInput,
    ) -> Result<BudgetPayload> {
        let me = identity(ctx)?.user_id;
        payload(
            services(ctx)?
                .budgets
                .reset_budget(me, input.category.into())
                .await,
        )
    }

    /// Marks the caller's notifications read; ids of anything else change
    /// nothing. Returns how many changed.
    async fn mark_notifications_read(
        &self,
        ctx: &Context<'_>,
        input: MarkNotificationsReadInput,
    ) -> Result<MarkNotificationsReadPayload> {
        let me = identity(ctx)?.user_id;
        let rows: Vec<i64> = input
            .ids
            .iter()
            .filter_map(|id| ids::decode_as(Kind::Notification, id))
            .collect();
        let changed = services(ctx)?
            .notifications
            .mark_read(me, &rows)
            .await
            .or_gql()?;
        Ok(MarkNotificationsReadPayload {
            updated_count: i32::try_from(changed).unwrap_or(i32::MAX),
            user_errors: Vec::new(),
        })
    }
}
