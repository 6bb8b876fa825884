use async_graphql::{ID, Interface};

use super::{Account, Notification, Transaction, User};

/// Any object that `node(id:)` can refetch.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    User(User),
    Account(Account),
    Transaction(Transaction),
    Notification(Notification),
}
