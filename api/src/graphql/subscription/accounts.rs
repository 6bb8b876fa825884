use async_graphql::{Context, Result, Subscription};
use futures_util::{Stream, StreamExt as _};
use moneta_core::ports::UserEvent;

use crate::error::OrGql as _;
use crate::graphql::types::{Account, SyncEvent};
use crate::graphql::{identity, services};

#[derive(Default)]
pub struct AccountSubscription;

#[Subscription]
impl AccountSubscription {
    /// Fires when an extraction of one of the caller's accounts finishes.
    async fn account_synced(&self, ctx: &Context<'_>) -> Result<impl Stream<Item = SyncEvent>> {
        let me = identity(ctx)?.user_id;
        let services = services(ctx)?.clone();
        let events = services.events.subscribe(me).await.or_gql()?;
        Ok(events.filter_map(move |event| {
            let accounts = services.accounts.clone();
            async move {
                let UserEvent::AccountSynced {
                    account_id,
                    added,
                    modified,
                    removed,
                } = event
                else {
                    return None;
                };
                // The account may have been unlinked since; then say nothing.
                let account = accounts.find(me, account_id).await.ok()??;
                Some(SyncEvent {
                    account: Account(account),
                    added: count(added),
                    modified: count(modified),
                    removed: count(removed),
                })
            }
        }))
    }
}

fn count(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}
