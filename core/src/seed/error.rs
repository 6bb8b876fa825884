//! What stops a seed.

use crate::accounts::AccountError;
use crate::auth::AuthError;
use crate::error::InternalError;

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("seed user {user}: {source}")]
    Auth {
        user: u64,
        #[source]
        source: AuthError,
    },
    #[error("seed user {user}: {source}")]
    Account {
        user: u64,
        #[source]
        source: AccountError,
    },
    /// The address is claimed, yet neither a user owns it nor could its
    /// interrupted creation be finished (another process races the seed
    /// for it).
    #[error(
        "seed user {user}: the address is claimed by no user and its creation could not be finished; run `moneta jobs run release-email-claims`, then seed again"
    )]
    OrphanClaim { user: u64 },
    #[error(transparent)]
    Internal(#[from] InternalError),
}
