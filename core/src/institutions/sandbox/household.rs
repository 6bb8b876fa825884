//! Households: a login `family_<name>` is a checking account whose
//! companions `family_<name>+card` (a credit card) and
//! `family_<name>+savings` (a savings account) the same user can link
//! too. Each month checking pays the card on the 20th (the card shows
//! the payment arriving on the 21st) and moves money to savings on the
//! 25th (arriving the same day), all flagged as transfers — what a
//! user's own-account moves look like to the transfer matcher. Other
//! logins are single checking accounts, as before.

use chrono::{Datelike, NaiveDate};

use super::hash::{Rng, derive, fnv1a};

/// The prefix of a login whose companions exist.
pub const FAMILY: &str = "family_";
/// The suffixes of the companions.
pub const CARD: &str = "+card";
pub const SAVINGS: &str = "+savings";

/// The day of the month checking pays the card, and the card receives it.
const CARD_PAID_ON: u32 = 20;
const CARD_RECEIVES_ON: u32 = 21;
/// The day money moves to savings.
const SAVINGS_ON: u32 = 25;

/// Which account of a household a login is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Checking,
    Card,
    Savings,
}

/// A login's place in its household.
#[derive(Debug, Clone)]
pub(super) struct Household {
    pub role: Role,
    /// Whether the login is a `family_` one (with companions).
    pub family: bool,
    /// The checking login's hash: the household's draws derive from it.
    base_key: u64,
    base: String,
}

/// A transfer leg on a given day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Leg {
    pub seller: String,
    pub cents: i64,
}

impl Household {
    pub fn of(login: &str) -> Self {
        let (base, role) = if let Some(base) = login.strip_suffix(CARD) {
            (base, Role::Card)
        } else if let Some(base) = login.strip_suffix(SAVINGS) {
            (base, Role::Savings)
        } else {
            (login, Role::Checking)
        };
        let family = base.starts_with(FAMILY);
        Self {
            role: if family { role } else { Role::Checking },
            family,
            base_key: fnv1a(base.as_bytes()),
            base: base.to_owned(),
        }
    }

    /// The account's name as linked.
    pub fn kind(&self) -> &'static str {
        match self.role {
            Role::Checking => "Checking",
            Role::Card => "Card",
            Role::Savings => "Savings",
        }
    }

    fn digits_of(&self, suffix: &str) -> u64 {
        let key = fnv1a(format!("{}{suffix}", self.base).as_bytes());
        derive(key, 0xacc7) % 10_000
    }

    fn month_draw(&self, day: NaiveDate, salt: u64, lo: i64, hi: i64) -> i64 {
        let month = u64::from(day.year().cast_unsigned()) * 12 + u64::from(day.month());
        Rng::new(derive(derive(self.base_key, month), salt)).range(lo, hi)
    }

    /// This account's transfer legs on `day`.
    pub fn legs(&self, day: NaiveDate) -> Vec<Leg> {
        if !self.family {
            return Vec::new();
        }
        let card = || self.month_draw(day, 0xca7d, 20_000, 90_000);
        let savings = || self.month_draw(day, 0x5a7e, 10_000, 50_000) / 100 * 100;
        let mut legs = Vec::new();
        match self.role {
            Role::Checking => {
                if day.day() == CARD_PAID_ON {
                    legs.push(Leg {
                        seller: format!("PAYMENT TO SANDBOX CARD ••{:04}", self.digits_of(CARD)),
                        cents: card(),
                    });
                }
                if day.day() == SAVINGS_ON {
                    legs.push(Leg {
                        seller: format!(
                            "ONLINE TRANSFER TO SAVINGS ••{:04}",
                            self.digits_of(SAVINGS)
                        ),
                        cents: savings(),
                    });
                }
            }
            Role::Card if day.day() == CARD_RECEIVES_ON => legs.push(Leg {
                seller: "PAYMENT RECEIVED - THANK YOU".to_owned(),
                cents: -card(),
            }),
            Role::Savings if day.day() == SAVINGS_ON => legs.push(Leg {
                seller: format!("ONLINE TRANSFER FROM CHECKING ••{:04}", self.digits_of("")),
                cents: -savings(),
            }),
            Role::Card | Role::Savings => {}
        }
        legs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    #[test]
    fn companions_mirror_the_checking_account() {
        let checking = Household::of("family_ana");
        let card = Household::of("family_ana+card");
        let savings = Household::of("family_ana+savings");
        assert_eq!((card.role, savings.role), (Role::Card, Role::Savings));
        let paid = checking.legs(day(20));
        let received = card.legs(day(21));
        assert_eq!(paid.len(), 1);
        assert_eq!(paid[0].cents, -received[0].cents);
        let moved = checking.legs(day(25));
        assert_eq!(moved[0].cents, -savings.legs(day(25))[0].cents);
        assert!(checking.legs(day(21)).is_empty());
    }

    #[test]
    fn other_logins_have_no_companions_or_legs() {
        let solo = Household::of("user_good+card");
        assert_eq!(solo.role, Role::Checking);
        assert!(solo.legs(day(20)).is_empty());
    }
}
