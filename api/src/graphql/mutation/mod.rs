//! Mutation fields by area.

mod accounts;
mod auth;
mod budget;
mod categories;

use async_graphql::MergedObject;

#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    auth::AuthMutation,
    accounts::AccountMutation,
    categories::CategoryMutation,
    budget::BudgetMutation,
);
