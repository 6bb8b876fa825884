//! Linked bank accounts: the read model, linking, refreshing and
//! unlinking, and the status of a sync given up on. [`Accounts`] is what
//! the API and the workers read and mark through.

mod abandoned;
mod error;
mod model;
mod service;
mod stored;

pub use abandoned::{ABANDONED_MESSAGE, mark_sync_abandoned};
pub use error::AccountError;
pub use model::{Account, AccountStatus, find, list};
pub use service::{AccountService, LinkRequest};
pub use stored::Accounts;
