use async_graphql::{Context, ID, InputObject, Object, Result};
use moneta_core::UserId;
use moneta_core::transactions::TransactionFilter as CoreFilter;

use crate::error::OrGql as _;
use crate::graphql::ids::{self, Kind};
use crate::graphql::types::{
    Category, Month, TransactionConnection, decode_position, page_size, transaction_connection,
};
use crate::graphql::{identity, services};

#[derive(InputObject, Default)]
pub struct TransactionFilter {
    pub account_id: Option<ID>,
    pub month: Option<Month>,
    pub category: Option<Category>,
}

#[derive(Default)]
pub struct TransactionsQuery;

#[Object]
impl TransactionsQuery {
    /// The caller's transactions, newest first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn transactions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<TransactionFilter>,
    ) -> Result<TransactionConnection> {
        let me = identity(ctx)?.user_id;
        let filter = filter.unwrap_or_default();
        // Another user's account, or a malformed id, filters to nothing.
        let account_id = filter
            .account_id
            .as_ref()
            .map(|id| ids::decode_as(Kind::Account, id).unwrap_or(0));
        let filter = CoreFilter {
            account_id,
            month: filter.month.map(|m| m.0),
            category: filter.category.map(Into::into),
        };
        list(ctx, me, filter, first, after).await
    }
}

/// One page of transactions for the connection fields.
pub async fn list(
    ctx: &Context<'_>,
    me: UserId,
    filter: CoreFilter,
    first: Option<i32>,
    after: Option<String>,
) -> Result<TransactionConnection> {
    let size = page_size(first)?;
    let position = after.as_deref().map(decode_position).transpose()?;
    let rows = services(ctx)?
        .transactions
        .page(me, filter, position, size + 1)
        .await
        .or_gql()?;
    Ok(transaction_connection(rows, size, position.is_some()))
}
