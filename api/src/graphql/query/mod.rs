//! Query fields by area.

mod accounts;
mod budget;
mod export;
mod me;
mod node;
mod notifications;
mod rules;
pub mod transactions;

use async_graphql::MergedObject;

#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    me::MeQuery,
    node::NodeQuery,
    accounts::AccountsQuery,
    transactions::TransactionsQuery,
    budget::BudgetQuery,
    notifications::NotificationsQuery,
    rules::RulesQuery,
    export::ExportQuery,
);
