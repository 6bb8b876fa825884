use async_graphql::{Context, Enum, ID, Object, Result};
use moneta_core::transfers as core;

use super::Transaction;
use crate::error::OrGql as _;
use crate::graphql::ids::{self, Kind};
use crate::graphql::services;

/// Where a detected transfer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "core::TransferState")]
pub enum TransferState {
    /// Found by Moneta; confirm or reject it.
    Detected,
    /// You confirmed it: later syncs never split it.
    Confirmed,
    /// You rejected it: both legs have their categories back.
    Rejected,
}

/// Money moved between two of your own accounts (a card payment, a move
/// to savings): both legs are filed under TRANSFER and left out of
/// spending and budgets.
pub struct Transfer(pub core::Transfer);

/// Money moved between two of your own accounts (a card payment, a move
/// to savings): both legs are filed under TRANSFER, out of spending and
/// budgets. Detected from opposite amounts on two of your accounts within
/// a few days (surer with the bank's hint or transfer wording).
#[Object]
impl Transfer {
    async fn id(&self) -> ID {
        ids::encode(Kind::Transfer, self.0.id)
    }

    async fn state(&self) -> TransferState {
        self.0.state.into()
    }

    /// How sure the match is, 0–1.
    async fn confidence(&self) -> f64 {
        f64::from(self.0.confidence) / 100.0
    }

    /// The leg money left by.
    async fn outflow(&self, ctx: &Context<'_>) -> Result<Option<Transaction>> {
        leg(ctx, self.0.outflow_id).await
    }

    /// The leg money arrived by.
    async fn inflow(&self, ctx: &Context<'_>) -> Result<Option<Transaction>> {
        leg(ctx, self.0.inflow_id).await
    }
}

async fn leg(ctx: &Context<'_>, id: i64) -> Result<Option<Transaction>> {
    let me = crate::graphql::identity(ctx)?.user_id;
    Ok(services(ctx)?
        .transactions
        .find(me, id)
        .await
        .or_gql()?
        .map(Transaction))
}
