//! Query fields by area.

mod accounts;
mod me;
mod node;
pub mod transactions;

use async_graphql::MergedObject;

#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    me::MeQuery,
    node::NodeQuery,
    accounts::AccountsQuery,
    transactions::TransactionsQuery,
);
