//! Subscription fields by area. Served over `/graphql/ws`
//! (`graphql-transport-ws`); the caller is named in `connection_init`.

mod accounts;
mod budget;

use async_graphql::MergedSubscription;

#[derive(MergedSubscription, Default)]
#[graphql(name = "Subscription")]
pub struct SubscriptionRoot(budget::BudgetSubscription, accounts::AccountSubscription);
