//! Cache key layout. All of a user's keys share the hash tag `{u<id>}`, so
//! on a Redis Cluster they live in one slot:
//!
//! - `cache:{u<id>}:version`: the user's current version (random hex);
//! - `cache:{u<id>}:f<FORMAT>:<view>`: a view, `<view>` being
//!   `budget:<yyyymm>`, `spending:<yyyymm>`, `recent:<page size>` or
//!   `response:<digest>` (a whole GraphQL response of the API); the
//!   value starts with the version it was loaded under, and is served
//!   only while that version is current. Both keys are read with one
//!   `MGET`.

use std::fmt;

use crate::UserId;
use crate::month::Month;

/// Bumped whenever a cached type changes shape, so a deploy never reads
/// values written by the previous release.
const FORMAT: u32 = 3;

/// A cached read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Budget(Month),
    MonthlySpending(Month),
    /// The first page of the unfiltered transaction list, of this size.
    RecentTransactions(u64),
    /// A whole GraphQL response, by a digest of what it answers (the
    /// document, the operation, the variables; the API computes it).
    Response([u8; 16]),
}

impl View {
    /// The label metrics use (bounded, unlike the key).
    pub fn kind(self) -> &'static str {
        match self {
            Self::Budget(_) => "budget",
            Self::MonthlySpending(_) => "monthly_spending",
            Self::RecentTransactions(_) => "recent_transactions",
            Self::Response(_) => "response",
        }
    }
}

impl fmt::Display for View {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Budget(m) => write!(f, "budget:{}", m.as_int()),
            Self::MonthlySpending(m) => write!(f, "spending:{}", m.as_int()),
            Self::RecentTransactions(n) => write!(f, "recent:{n}"),
            Self::Response(digest) => {
                f.write_str("response:")?;
                digest.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
            }
        }
    }
}

/// What every key of the user starts with.
pub(super) fn user_prefix(user: UserId) -> String {
    format!("cache:{{u{user}}}:")
}

/// Where the user's current version is kept.
pub(super) fn version_key(user: UserId) -> String {
    format!("cache:{{u{user}}}:version")
}

/// Where `view` is kept.
pub(super) fn value_key(user: UserId, view: View) -> String {
    format!("cache:{{u{user}}}:f{FORMAT}:{view}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_one_user_share_a_hash_tag_and_differ_by_view() {
        let user = UserId::new(42);
        let month = Month::new(2026, 11).unwrap();
        assert_eq!(version_key(user), "cache:{u42}:version");
        assert!(version_key(user).starts_with(&user_prefix(user)));
        assert!(value_key(user, View::Budget(month)).starts_with(&user_prefix(user)));
        assert!(!value_key(UserId::new(420), View::Budget(month)).starts_with(&user_prefix(user)));
        assert_eq!(
            value_key(user, View::Budget(month)),
            "cache:{u42}:f3:budget:202611"
        );
        assert_ne!(
            value_key(user, View::Budget(month)),
            value_key(user, View::MonthlySpending(month))
        );
        assert_eq!(
            value_key(user, View::Response([0xab; 16])),
            format!("cache:{{u42}}:f3:response:{}", "ab".repeat(16))
        );
        assert_ne!(
            value_key(user, View::RecentTransactions(20)),
            value_key(UserId::new(43), View::RecentTransactions(20))
        );
    }
}
