use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use moneta_core::{ErrorCode, transactions};
use rust_decimal::Decimal;

use super::{Account, Category, CategorySource};
use crate::error::{coded, gql_error};
use crate::graphql::AccountLoader;
use crate::graphql::ids::{self, Kind};

pub struct Transaction(pub transactions::Transaction);

#[Object]
impl Transaction {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Transaction, self.0.id)
    }

    /// Loaded in one batch for a whole page (see `AccountLoader`).
    async fn account(&self, ctx: &Context<'_>) -> Result<Account> {
        let loader = ctx.data::<DataLoader<AccountLoader>>()?;
        loader
            .load_one((self.0.user_id, self.0.account_id))
            .await
            .map_err(|e| gql_error(e.as_ref()))?
            .map(Account)
            .ok_or_else(|| coded(ErrorCode::NotFound, "account not found"))
    }

    async fn posted_at(&self) -> DateTime<Utc> {
        self.0.posted_at
    }

    /// The seller as the bank printed it.
    async fn seller(&self) -> &str {
        &self.0.seller_raw
    }

    /// Positive: money spent; negative: money received.
    async fn amount(&self) -> Decimal {
        self.0.amount.to_decimal()
    }

    async fn pending(&self) -> bool {
        self.0.pending
    }

    async fn category(&self) -> Category {
        self.0.category().into()
    }

    async fn category_source(&self) -> CategorySource {
        self.0.category_source().into()
    }
}
