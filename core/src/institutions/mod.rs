//! Institutions: where transactions come from.
//!
//! A connector speaks a Plaid-style incremental sync: given the cursor of
//! what was already delivered (none at first), it returns one page of
//! `added`, `modified` and `removed` transactions, whether more pages
//! follow, and the cursor to ask with next. When a pending transaction
//! posts, it is *removed* and a new posted transaction is *added* that
//! names the pending one (`pending_transaction_id`).
//!
//! A real aggregator (Plaid's `/transactions/sync`) fits this trait as it
//! is: `link` exchanges the login for an access token (kept as the
//! account's sealed credentials), `sync` maps one `/transactions/sync` call
//! to one [`SyncPage`]. The pipeline does not change.

mod connector;

/// The ids of every institution this build has a connector for; a
/// deployment enables some of them (`MONETA_INSTITUTIONS`).
pub const AVAILABLE: &[&str] = &["sandbox"];
pub mod sandbox;

pub use sandbox::SandboxInstitution;

pub use connector::{
    Credentials, Institution, InstitutionError, Institutions, LinkedLogin, ProviderTransaction,
    SyncPage,
};
