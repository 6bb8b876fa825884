//! Transfers: a payment to the user's own card, a move between their own
//! accounts. Found as syncs land (`detect`: the same amount leaving one
//! account and arriving on another within a few days, surer with the
//! institution's hint or transfer wording), filed under TRANSFER — out of
//! spending and budgets — and confirmed or rejected by the user
//! ([`Transfers`]). A leg is paired once: a later sync never re-splits a
//! pair, and a rejected pair's legs are never offered again.

mod detect;
mod error;
pub mod matcher;
mod service;

pub use detect::{Landing, detect};
pub use error::TransferError;
pub use service::{Transfer, TransferState, Transfers, find_transfer};
