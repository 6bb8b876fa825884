use async_graphql::{Context, ID, InputObject, Object, Result};
use moneta_core::ErrorCode;
use moneta_core::UserId;
use moneta_core::transactions::{SellerSearch, TransactionFilter as CoreFilter};

use crate::error::{OrGql as _, coded};
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
    /// Only transactions whose seller (as the bank wrote it) or merchant
    /// name contains this text, in any case. Blank is no filter; more
    /// than 100 characters is BAD_USER_INPUT.
    pub seller: Option<String>,
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
        let seller = match filter.seller.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(SellerSearch::new(text).ok_or_else(|| {
                coded(
                    ErrorCode::BadUserInput,
                    "a seller search is at most 100 characters",
                )
            })?),
        };
        let filter = CoreFilter {
            account_id,
            month: filter.month.map(|m| m.0),
            category: filter.category.map(Into::into),
            seller,
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
