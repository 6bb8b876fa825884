//! Institutions: where transactions come from.
//!
//! A connector speaks a Plaid-style incremental sync: given the cursor of
//! what was already delivered (none at first), it returns one page of
//! `added`, `modified` and `removed` transactions, whether more pages
//! follow, and the cursor to ask with next. When a pending transaction
//! posts, it is *removed* and a new posted transaction is *added* that
//! names the pending one (`pending_transaction_id`).
//!
//! A real aggregator fits this trait as it is: `link` exchanges what the
//! user gave (a login, a setup token) for an access token, kept sealed in
//! place of the password, and lists the accounts the login brings (one
//! Moneta account each); `sync` maps one call (Plaid's
//! `/transactions/sync`, SimpleFIN's `GET /accounts`) to one [`SyncPage`],
//! and says `LoginRequired` when the user must re-authenticate. The
//! pipeline does not change. `moneta_platform::simplefin` is such a
//! connector.

mod connector;

/// The ids of every institution this build has a connector for; a
/// deployment enables some of them (`MONETA_INSTITUTIONS`).
pub const AVAILABLE: &[&str] = &["sandbox", "simplefin"];
pub mod sandbox;

pub use sandbox::SandboxInstitution;

pub use connector::{
    Credentials, Institution, InstitutionError, Institutions, LinkedAccount, LinkedLogin,
    ProviderTransaction, SyncPage,
};
