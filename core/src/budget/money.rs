//! Money at the edge: decimals in, integer cents inside.

use rust_decimal::Decimal;

/// The largest amount a budget or income may be: $10,000,000.00.
pub const MAX_AMOUNT_CENTS: i64 = 1_000_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("must not be negative")]
    Negative,
    #[error("must have at most two decimal places")]
    TooPrecise,
    #[error("must be at most 10,000,000.00")]
    TooLarge,
}

/// Cents from a decimal amount; more than two fraction digits are refused,
/// never rounded.
pub fn cents_from_decimal(amount: Decimal) -> Result<i64, AmountError> {
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
    if cents > MAX_AMOUNT_CENTS {
        return Err(AmountError::TooLarge);
    }
    Ok(cents)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn converts_and_refuses() {
        assert_eq!(cents_from_decimal(d("12.34")), Ok(1234));
        assert_eq!(cents_from_decimal(d("12.30")), Ok(1230));
        assert_eq!(cents_from_decimal(d("12.300")), Ok(1230));
        assert_eq!(cents_from_decimal(d("0")), Ok(0));
        assert_eq!(cents_from_decimal(d("-0.00")), Ok(0));
        assert_eq!(
            cents_from_decimal(d("12.345")),
            Err(AmountError::TooPrecise)
        );
        assert_eq!(cents_from_decimal(d("-1")), Err(AmountError::Negative));
        assert_eq!(cents_from_decimal(d("10000000.00")), Ok(MAX_AMOUNT_CENTS));
        assert_eq!(
            cents_from_decimal(d("10000000.01")),
            Err(AmountError::TooLarge)
        );
        assert_eq!(
            cents_from_decimal(d("79228162514264337593543950335")),
            Err(AmountError::TooLarge)
        );
    }
}
