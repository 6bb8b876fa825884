//! Mutation fields by area.

mod accounts;
mod auth;
mod budget;
mod categories;
mod imports;
mod me;
mod rules;
mod transfers;

use async_graphql::MergedObject;

#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    auth::AuthMutation,
    accounts::AccountMutation,
    imports::ImportMutation,
    categories::CategoryMutation,
    rules::RuleMutation,
    transfers::TransferMutation,
    budget::BudgetMutation,
    me::MeMutation,
);
