//! Who a seed makes: a pure function of the seed number and the user's
//! number, so that a rerun (after Ctrl-C or a crash) names the same users
//! and accounts, and the sandbox gives each account the same history.

use chrono::{Months, NaiveDate};

use crate::institutions::sandbox::SandboxShape;

/// Every seeded address is `user<n>@` this (n from 1): what the load
/// scripts log in with.
pub const EMAIL_DOMAIN: &str = "seed.moneta.test";

/// Out of 100 users: how many have a second account.
const SECOND_ACCOUNT_PERCENT: u64 = 15;
/// The page size a production connector asks its aggregator for (Plaid's
/// `/transactions/sync` allows at most 500).
const CONNECTOR_PAGE: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedPlan {
    pub users: u64,
    /// Months of history each account's first sync delivers.
    pub months: u32,
    /// Which synthetic population: another number, other logins.
    pub seed: u64,
    /// The day the histories end (the sandbox's today).
    pub as_of: NaiveDate,
}

impl SeedPlan {
    /// The address of user `n`.
    pub fn email(n: u64) -> String {
        format!("user{n}@{EMAIL_DOMAIN}")
    }

    /// The sandbox logins of user `n`'s accounts: one, for some two.
    pub fn logins(&self, n: u64) -> Vec<String> {
        let accounts = if mix(self.seed, n) % 100 < SECOND_ACCOUNT_PERCENT {
            2
        } else {
            1
        };
        (1..=accounts)
            .map(|a| format!("seed{}_u{n}_a{a}", self.seed))
            .collect()
    }

    /// The sandbox's shape for this plan: `months` of history up to
    /// `as_of`, in a production connector's pages.
    pub fn shape(&self) -> SandboxShape {
        let first = self
            .as_of
            .checked_sub_months(Months::new(self.months))
            .unwrap_or(NaiveDate::MIN);
        SandboxShape {
            history_days: (self.as_of - first).num_days().max(1),
            page_size: CONNECTOR_PAGE,
        }
    }
}

/// SplitMix64 of the seed and the user: a stable draw per user.
fn mix(seed: u64, n: u64) -> u64 {
    let mut z = seed
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(n)
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(seed: u64) -> SeedPlan {
        SeedPlan {
            users: 1_000,
            months: 3,
            seed,
            as_of: NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
        }
    }

    #[test]
    fn the_same_seed_names_the_same_accounts_and_another_seed_others() {
        let (a, b) = (plan(1), plan(2));
        assert_eq!(a.logins(17), plan(1).logins(17));
        assert_ne!(a.logins(17)[0], b.logins(17)[0]);
        assert_eq!(SeedPlan::email(17), "user17@seed.moneta.test");
    }

    #[test]
    fn about_one_user_in_seven_has_a_second_account() {
        let p = plan(1);
        let second = (1..=p.users).filter(|&n| p.logins(n).len() == 2).count();
        assert!((100..=200).contains(&second), "{second} of 1000");
    }

    #[test]
    fn three_months_of_history_end_on_the_day_asked_for() {
        let shape = plan(1).shape();
        // 2026-09-02 .. 2026-12-02.
        assert_eq!(shape.history_days, 91);
        assert_eq!(shape.page_size, 500);
    }
}
