use async_graphql::{Context, ID, Object, Result};
use moneta_core::{UserId, accounts, notifications, transactions, users};

use crate::error::gql_error;
use crate::graphql::ids::{self, Kind};
use crate::graphql::types::{Account, Node, Notification, Transaction, User};
use crate::graphql::{identity, services};

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Refetches any of the caller's objects by id. Another user's id, an
    /// unknown id and a malformed id all give null.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        let me = identity(ctx)?.user_id;
        let Some((kind, row)) = ids::decode(&id) else {
            return Ok(None);
        };
        let db = &services(ctx)?.db;
        let node = match kind {
            Kind::User if row == me.get() => users::find(db, UserId::new(row))
                .await
                .map_err(|e| gql_error(&e))?
                .map(|u| Node::User(User(u))),
            Kind::User => None,
            Kind::Account => accounts::find(db, me, row)
                .await
                .map_err(|e| gql_error(&e))?
                .map(|a| Node::Account(Account(a))),
            Kind::Transaction => transactions::find(db, me, row)
                .await
                .map_err(|e| gql_error(&e))?
                .map(|t| Node::Transaction(Transaction(t))),
            Kind::Notification => notifications::find(db, me, row)
                .await
                .map_err(|e| gql_error(&e))?
                .map(|n| Node::Notification(Notification(n))),
        };
        Ok(node)
    }
}
