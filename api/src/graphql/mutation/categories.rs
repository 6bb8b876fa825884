use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use moneta_core::ErrorCode;
use moneta_core::categories::CategoryError;

use crate::error::{OrGql as _, coded, gql_error};
use crate::graphql::ids::{self, Kind};
use crate::graphql::types::{Category, Rule, Transaction, UserError};
use crate::graphql::{identity, services};

#[derive(InputObject)]
pub struct SetTransactionCategoryInput {
    pub transaction_id: ID,
    pub category: Category,
    /// Also file this merchant's future transactions under `category`: a
    /// rule you can see (in `rules`), edit and delete — never a silent one.
    #[graphql(default = false)]
    pub remember_for_merchant: bool,
}

/// One transaction of yours.
#[derive(InputObject)]
pub struct ClearTransactionCategoryInput {
    pub transaction_id: ID,
}

#[derive(SimpleObject)]
pub struct SetTransactionCategoryPayload {
    pub transaction: Option<Transaction>,
    /// The rule `rememberForMerchant` created or updated.
    pub rule: Option<Rule>,
    pub user_errors: Vec<UserError>,
}

fn not_found() -> async_graphql::Error {
    coded(ErrorCode::NotFound, "transaction not found")
}

fn coded_category(e: CategoryError) -> async_graphql::Error {
    match e {
        CategoryError::TransactionNotFound => not_found(),
        other => gql_error(&other),
    }
}

#[derive(Default)]
pub struct CategoryMutation;

#[Object]
impl CategoryMutation {
    /// Sets the category of one transaction. Only that transaction changes
    /// (unless `rememberForMerchant`); the choice survives re-syncs and
    /// counts as your vote for the seller.
    async fn set_transaction_category(
        &self,
        ctx: &Context<'_>,
        input: SetTransactionCategoryInput,
    ) -> Result<SetTransactionCategoryPayload> {
        let me = identity(ctx)?.user_id;
        let id = ids::decode_as(Kind::Transaction, &input.transaction_id).ok_or_else(not_found)?;
        let services = services(ctx)?;
        let transaction = services
            .categories
            .set(me, id, input.category.into())
            .await
            .map_err(coded_category)?;
        let rule = if input.remember_for_merchant {
            services
                .rules
                .remember(me, &transaction, input.category.into())
                .await
                .or_gql()?
                .map(Rule)
        } else {
            None
        };
        Ok(SetTransactionCategoryPayload {
            transaction: Some(Transaction(transaction)),
            rule,
            user_errors: Vec::new(),
        })
    }

    /// Clears your override of one transaction: it returns to its
    /// automatic category (your rule, a transfer, the merchant list or the
    /// crowd, as decided when it arrived).
    async fn clear_transaction_category(
        &self,
        ctx: &Context<'_>,
        input: ClearTransactionCategoryInput,
    ) -> Result<SetTransactionCategoryPayload> {
        let me = identity(ctx)?.user_id;
        let id = ids::decode_as(Kind::Transaction, &input.transaction_id).ok_or_else(not_found)?;
        let transaction = services(ctx)?
            .categories
            .clear(me, id)
            .await
            .map_err(coded_category)?;
        Ok(SetTransactionCategoryPayload {
            transaction: Some(Transaction(transaction)),
            rule: None,
            user_errors: Vec::new(),
        })
    }
}
