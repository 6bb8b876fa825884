//! Linked bank accounts: the read model, and linking, refreshing and
//! unlinking.

mod error;
mod model;
mod service;

pub use error::AccountError;
pub use model::{Account, AccountStatus, find, list};
pub use service::{AccountService, LinkRequest};
