//! Money: integer cents inside, a decimal only at the edges (DESIGN §4).

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub};

use rust_decimal::Decimal;

/// The largest amount a budget or income may be: $10,000,000.00.
pub const MAX_AMOUNT: Money = Money(1_000_000_000);

/// An amount in cents. Spending is positive; money coming in (income, a
/// refund) is negative, as the bank reports it. Stored and summed as
/// the integer.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct Money(i64);

/// Why a decimal is not a budget or income amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("must not be negative")]
    Negative,
    #[error("must have at most two decimal places")]
    TooPrecise,
    #[error("must be at most 10,000,000.00")]
    TooLarge,
}

impl Money {
    pub const ZERO: Self = Self(0);

    pub const fn from_cents(cents: i64) -> Self {
        Self(cents)
    }

    /// The cents, as stored.
    pub const fn cents(self) -> i64 {
        self.0
    }

    /// The amount as a decimal with two places, for the API.
    /// The amount's size, direction apart (saturating).
    pub const fn abs(self) -> Self {
        Self(self.0.saturating_abs())
    }

    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    /// A budget or income amount from a decimal: not negative, at most two
    /// fraction digits (refused, never rounded), at most [`MAX_AMOUNT`].
    pub fn amount(amount: Decimal) -> Result<Self, AmountError> {
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(AmountError::Negative);
        }
        let normalized = amount.normalize();
        if normalized.scale() > 2 {
            return Err(AmountError::TooPrecise);
        }
        let cents = normalized
            .checked_mul(Decimal::ONE_HUNDRED)
            .ok_or(AmountError::TooLarge)?;
        let cents = i64::try_from(cents.trunc()).map_err(|_| AmountError::TooLarge)?;
        if cents > MAX_AMOUNT.0 {
            return Err(AmountError::TooLarge);
        }
        Ok(Self(cents))
    }

    /// `self × numerator / denominator`, rounded toward zero (a share of
    /// an income, an average), saturating.
    pub fn scaled(self, numerator: i64, denominator: i64) -> Self {
        Self(self.0.saturating_mul(numerator) / denominator.max(1))
    }
}

impl Add for Money {
    type Output = Self;
    fn add(self, other: Self) -> Self {
        Self(self.0.saturating_add(other.0))
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, other: Self) {
        *self = *self + other;
    }
}

impl Sub for Money {
    type Output = Self;
    fn sub(self, other: Self) -> Self {
        Self(self.0.saturating_sub(other.0))
    }
}

impl Neg for Money {
    type Output = Self;
    fn neg(self) -> Self {
        Self(self.0.saturating_neg())
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Self>>(amounts: I) -> Self {
        amounts.fold(Self::ZERO, Add::add)
    }
}

/// `$12.34`, `-$0.05`: how messages show an amount.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}${}.{:02}", abs / 100, abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn amount(s: &str) -> Result<i64, AmountError> {
        Money::amount(Decimal::from_str(s).unwrap()).map(Money::cents)
    }

    #[test]
    fn amounts_convert_and_refuse() {
        assert_eq!(amount("12.34"), Ok(1234));
        assert_eq!(amount("12.30"), Ok(1230));
        assert_eq!(amount("12.300"), Ok(1230));
        assert_eq!(amount("0"), Ok(0));
        assert_eq!(amount("-0.00"), Ok(0));
        assert_eq!(amount("12.345"), Err(AmountError::TooPrecise));
        assert_eq!(amount("-1"), Err(AmountError::Negative));
        assert_eq!(amount("10000000.00"), Ok(MAX_AMOUNT.cents()));
        assert_eq!(amount("10000000.01"), Err(AmountError::TooLarge));
        assert_eq!(
            amount("79228162514264337593543950335"),
            Err(AmountError::TooLarge)
        );
    }

    #[test]
    fn shows_dollars_and_sums_cents() {
        assert_eq!(Money::from_cents(1234).to_string(), "$12.34");
        assert_eq!(Money::from_cents(-5).to_string(), "-$0.05");
        assert_eq!(Money::from_cents(100_000).to_string(), "$1000.00");
        let total: Money = [1, 2, -3].map(Money::from_cents).into_iter().sum();
        assert_eq!(total, Money::ZERO);
        assert_eq!(Money::from_cents(1234).to_decimal().to_string(), "12.34");
        assert_eq!(
            Money::from_cents(i64::MAX) + Money::from_cents(1),
            Money::from_cents(i64::MAX)
        );
    }
}
