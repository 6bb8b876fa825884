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
    /// A registration died between claiming the address and creating the
    /// user (a kill at that instant): the claim holds the address until
    /// it is released.
    #[error(
        "seed user {user}: the address is claimed by no user; run `moneta jobs run release-email-claims`, then seed again"
    )]
    OrphanClaim { user: u64 },
    #[error(transparent)]
    Internal(#[from] InternalError),
}
