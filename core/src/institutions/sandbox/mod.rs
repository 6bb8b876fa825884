//! The built-in `sandbox` institution, like Plaid's sandbox: deterministic
//! fake bank data for development, demos and tests.
//!
//! - `link`: password [`PASSWORD_GOOD`] (`pass_good`) links, any other
//!   fails; login [`LOGIN_REQUIRED`] (`user_login_required`) links but
//!   every sync then fails with `LoginRequired`; login [`UNSTABLE`]
//!   (`user_unstable`) gets the first page of each sync, then
//!   `Unavailable`. A login `family_<name>` has companions
//!   `family_<name>+card` and `family_<name>+savings`, with monthly card
//!   payments and moves to savings between them (`household.rs`).
//! - History: every login has [`HISTORY_DAYS`] days up to today (UTC date
//!   of the clock): 2–5 everyday purchases a day at dictionary sellers
//!   printed bank-style (~15 % at local businesses from a shared pool the
//!   dictionary does not know), payroll twice a month, rent on the 1st and
//!   a handful of monthly bills. All of it is a pure function of the login
//!   and the date (FNV-1a and SplitMix64, no OS randomness): the same
//!   login always sees the same data.
//! - Lifecycle: a transaction is pending (`ptx_<hex>`) on its day and the
//!   next, then posts as `tx_<hex>` naming `ptx_<hex>` (restaurants usually
//!   with a tip added); ~3 % change amount on day + 3 (`modified`), ~1 % are
//!   reversed on day + 4 (`removed`).
//! - Sync: the cursor names the state the caller has (as of a date); a
//!   sync delivers the diff to today's state in pages of at most
//!   [`PAGE_SIZE`] changes; the cursor is opaque, versioned and strict
//!   (`cursor.rs`).

mod catalog;
mod cursor;
mod diff;
mod hash;
mod history;
mod household;
mod institution;
mod profile;
#[cfg(test)]
mod tests;

pub use diff::PAGE_SIZE;
pub use history::HISTORY_DAYS;
pub use household::{CARD, FAMILY, SAVINGS};
pub use institution::{LOGIN_REQUIRED, PASSWORD_GOOD, SandboxInstitution, SandboxShape, UNSTABLE};
