use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use moneta_core::ErrorCode;
use moneta_core::categories::CategoryError;

use crate::error::{coded, gql_error};
use crate::graphql::ids::{self, Kind};
use crate::graphql::types::{Category, Transaction, UserError};
use crate::graphql::{identity, services};

#[derive(InputObject)]
pub struct SetTransactionCategoryInput {
    pub transaction_id: ID,
    pub category: Category,
}

#[derive(SimpleObject)]
pub struct SetTransactionCategoryPayload {
    pub transaction: Option<Transaction>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct CategoryMutation;

#[Object]
impl CategoryMutation {
    /// Sets the category of one transaction. Only that transaction changes;
    /// the choice survives re-syncs and counts as your vote for the seller.
    async fn set_transaction_category(
        &self,
        ctx: &Context<'_>,
        input: SetTransactionCategoryInput,
    ) -> Result<SetTransactionCategoryPayload> {
        let me = identity(ctx)?.user_id;
        let not_found = || coded(ErrorCode::NotFound, "transaction not found");
        let id = ids::decode_as(Kind::Transaction, &input.transaction_id).ok_or_else(not_found)?;
        let transaction = services(ctx)?
            .categories
            .set(me, id, input.category.into())
            .await
            .map_err(|e| match e {
                CategoryError::TransactionNotFound => not_found(),
                other => gql_error(&other),
            })?;
        Ok(SetTransactionCategoryPayload {
            transaction: Some(Transaction(transaction)),
            user_errors: Vec::new(),
        })
    }
}
