//! A user's transactions: as the rest of the domain reads them
//! ([`Transactions`]), and the user's override of one's category
//! ([`CategoryOverrides`]).

mod overrides;
mod read;
mod reason;

pub use overrides::CategoryOverrides;
pub use read::{
    Position, SellerSearch, Transaction, TransactionFilter, Transactions, find, page, page_cached,
};
pub use reason::{DICTIONARY_CONFIDENCE, Reason, Reasons};
