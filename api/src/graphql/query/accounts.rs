use async_graphql::{Context, ID, Object, Result};

use crate::error::OrGql as _;
use crate::graphql::ids::{self, Kind};
use crate::graphql::types::Account;
use crate::graphql::{identity, services};

#[derive(Default)]
pub struct AccountsQuery;

#[Object]
impl AccountsQuery {
    /// The caller's linked accounts, oldest first.
    async fn accounts(&self, ctx: &Context<'_>) -> Result<Vec<Account>> {
        let me = identity(ctx)?.user_id;
        let list = services(ctx)?.accounts.list(me).await.or_gql()?;
        Ok(list.into_iter().map(Account).collect())
    }

    /// One of the caller's accounts; null for any other id.
    async fn account(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Account>> {
        let me = identity(ctx)?.user_id;
        let Some(row) = ids::decode_as(Kind::Account, &id) else {
            return Ok(None);
        };
        Ok(services(ctx)?
            .accounts
            .find(me, row)
            .await
            .or_gql()?
            .map(Account))
    }
}
