//! The category service: which of the thirteen categories a transaction
//! gets, and why. Normalization and the precedence are pure; the
//! dictionary is in memory; crowd tallies are stored. It depends on
//! nothing above it: a user's override of a transaction's category lives
//! with the transactions (`transactions::CategoryOverrides`).

mod categorizer;
mod category;
pub mod crowd;
pub mod dictionary;
mod error;
mod merchant;
mod normalize;

pub use categorizer::{Categorization, Categorizer, decide};
pub use category::{Category, CategorySource, UnknownCategory};
pub use dictionary::{SellerDictionary, SellerEntry, SellerMatch, SellerRow};
pub use error::CategoryError;
pub use merchant::merchant_name;
pub use normalize::normalize;
