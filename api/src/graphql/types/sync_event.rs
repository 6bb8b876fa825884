use async_graphql::SimpleObject;

use super::Account;

/// An extraction of one of the user's accounts finished.
#[derive(SimpleObject)]
pub struct SyncEvent {
    pub account: Account,
    pub added: i32,
    pub modified: i32,
    pub removed: i32,
}
