use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use moneta_core::ErrorCode;
use moneta_core::transfers::TransferError;

use crate::error::{OrGql as _, coded};
use crate::graphql::ids::{self, Kind};
use crate::graphql::types::{Transfer, UserError};
use crate::graphql::{identity, services};

/// One transfer of yours.
#[derive(InputObject)]
pub struct TransferIdInput {
    pub transfer_id: ID,
}

/// The transfer in its new state.
#[derive(SimpleObject)]
pub struct TransferPayload {
    pub transfer: Option<Transfer>,
    pub user_errors: Vec<UserError>,
}

fn transfer_id(id: &ID) -> Result<i64> {
    ids::decode_as(Kind::Transfer, id)
        .ok_or_else(|| coded(ErrorCode::NotFound, "transfer not found"))
}

fn answer(
    result: std::result::Result<moneta_core::transfers::Transfer, TransferError>,
) -> Result<TransferPayload> {
    Ok(TransferPayload {
        transfer: Some(Transfer(result.or_gql()?)),
        user_errors: Vec::new(),
    })
}

#[derive(Default)]
pub struct TransferMutation;

#[Object]
impl TransferMutation {
    /// Confirms a detected transfer: later syncs never split it.
    async fn confirm_transfer(
        &self,
        ctx: &Context<'_>,
        input: TransferIdInput,
    ) -> Result<TransferPayload> {
        let (me, id) = (identity(ctx)?.user_id, transfer_id(&input.transfer_id)?);
        answer(services(ctx)?.transfers.confirm(me, id).await)
    }

    /// Rejects (undoes) a match: both legs get back their categories, and
    /// spending follows; Moneta never pairs them again.
    async fn reject_transfer(
        &self,
        ctx: &Context<'_>,
        input: TransferIdInput,
    ) -> Result<TransferPayload> {
        let (me, id) = (identity(ctx)?.user_id, transfer_id(&input.transfer_id)?);
        answer(services(ctx)?.transfers.reject(me, id).await)
    }
}
