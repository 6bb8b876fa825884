use async_graphql::{Context, ID, Object, Result};
use moneta_core::UserId;

use crate::error::OrGql as _;
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
        let services = services(ctx)?;
        let node = match kind {
            Kind::User if row == me.get() => services
                .users
                .find(UserId::new(row))
                .await
                .or_gql()?
                .map(|u| Node::User(User(u))),
            Kind::User => None,
            Kind::Account => services
                .accounts
                .find(me, row)
                .await
                .or_gql()?
                .map(|a| Node::Account(Account(a))),
            Kind::Transaction => services
                .transactions
                .find(me, row)
                .await
                .or_gql()?
                .map(|t| Node::Transaction(Transaction(t))),
            Kind::Notification => services
                .notifications
                .find(me, row)
                .await
                .or_gql()?
                .map(|n| Node::Notification(Notification(n))),
            Kind::Rule | Kind::RuleApplication | Kind::Transfer => None,
        };
        Ok(node)
    }
}
