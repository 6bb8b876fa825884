//! The category service: which of the thirteen categories a transaction
//! gets, and why. Normalization and the precedence are pure; the
//! dictionary is in memory; crowd tallies and overrides are stored.

mod categorizer;
mod category;
pub mod crowd;
pub mod dictionary;
mod error;
mod normalize;
mod overrides;

pub use categorizer::{Categorization, Categorizer, decide};
pub use category::{Category, CategorySource, UnknownCategory};
pub use dictionary::{SellerDictionary, SellerEntry, SellerMatch, SellerRow};
pub use error::CategoryError;
pub use normalize::normalize;
pub use overrides::CategoryOverrides;
