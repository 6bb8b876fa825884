//! Mutation fields by area.

mod accounts;
mod auth;
mod budget;
mod categories;
mod me;

use async_graphql::MergedObject;

#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    auth::AuthMutation,
    accounts::AccountMutation,
    categories::CategoryMutation,
    budget::BudgetMutation,
    me::MeMutation,
);
