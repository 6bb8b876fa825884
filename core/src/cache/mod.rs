//! Cache-aside for the reads every screen makes: the month's budget, its
//! spending by category and the first page of recent transactions.
//!
//! Keys are versioned per user: every write that changes one of these
//! views gives the user a new, never reused version before it returns, so
//! the next read misses and loads what was just written; values cached
//! under older versions are never read again and expire on their own.

mod keys;
mod read_cache;
mod stats;

pub use keys::View;
pub use read_cache::{CacheSettings, Lookup, ReadCache, Slot};
pub use stats::{CacheCounts, CacheStats};
