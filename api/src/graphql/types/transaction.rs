use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use moneta_core::{ErrorCode, transactions};
use rust_decimal::Decimal;

use moneta_core::transfers::TransferState;

use super::{Account, Category, CategoryReason, CategorySource, Merchant, Transfer};
use crate::error::{OrGql as _, coded, gql_error};
use crate::graphql::ids::{self, Kind};
use crate::graphql::{AccountLoader, services};

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

    /// Who the money went to (or came from), as people name them; `seller`
    /// stays as the bank printed it.
    async fn merchant(&self, ctx: &Context<'_>) -> Result<Merchant> {
        let reasons = &services(ctx)?.reasons;
        Ok(Merchant {
            name: reasons.merchant(&self.0),
            logo: None,
            website: None,
        })
    }

    /// Why it has its category, with the evidence.
    async fn category_reason(&self, ctx: &Context<'_>) -> Result<CategoryReason> {
        let reason = services(ctx)?
            .reasons
            .explain(self.0.user_id, &self.0)
            .await
            .or_gql()?;
        Ok(CategoryReason(reason))
    }

    /// The transfer this is a leg of, while it is one (not once rejected).
    async fn transfer(&self, ctx: &Context<'_>) -> Result<Option<Transfer>> {
        let Some(id) = self.0.transfer_id else {
            return Ok(None);
        };
        Ok(services(ctx)?
            .transfers
            .find(self.0.user_id, id)
            .await
            .or_gql()?
            .filter(|t| t.state != TransferState::Rejected)
            .map(Transfer))
    }
}
