//! Monthly spending: per user, month and category, the sum of the
//! transactions' amounts (outflows positive, refunds negative, pending
//! included), by the category that counts (the user's override first) —
//! and the follow-up every change to it owes.
//!
//! - [`recompute_months`]: the totals of some months, from the transactions.
//! - [`adjust`]: moves totals in place, inside the change's own database
//!   transaction (a sync page); [`take_turn`] first, as every writer.
//! - [`for_month`]: a month's stored totals.
//! - [`mark`]: records, inside the change's own database transaction, that
//!   a month's spending changed.
//! - [`FollowUp`]: "spending changed", carried out from that record until
//!   it is cleared — recompute → invalidate the cached views → evaluate
//!   the budget alerts — by the request or sync that made the change, its
//!   retry, or the sweeper.
//! - [`home_currency`], [`foreign_accounts`]: totals count the accounts in
//!   the user's home currency only (no conversion).

mod adjust;
mod changes;
mod currency;
mod follow_up;
mod recompute;
mod totals;

pub use adjust::{Deltas, adjust, take_turn};
pub use changes::{Totals, mark};
pub use currency::{foreign_accounts, home_currency};
pub use follow_up::{Done, FollowUp, Settled};
pub use recompute::recompute_months;
pub use totals::for_month;
