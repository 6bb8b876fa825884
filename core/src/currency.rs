//! Currencies: an account's amounts are in one, spending and budgets
//! count the user's home currency, and nothing is ever converted.

use std::fmt;
use std::str::FromStr;

/// An ISO 4217 alphabetic code (`USD`, `EUR`, `BRL`): three letters,
/// upper case. Whether the code is assigned is not checked — a bank's
/// file is the authority on its own currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a currency code (three letters, as in USD or EUR)")]
pub struct CurrencyError(pub String);

impl Currency {
    /// The home currency of a user who has not chosen one, and of the
    /// accounts linked before currencies were kept.
    pub const USD: Self = Self(*b"USD");

    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored (`from_str`).
        std::str::from_utf8(&self.0).unwrap_or("USD")
    }
}

impl Default for Currency {
    fn default() -> Self {
        Self::USD
    }
}

impl FromStr for Currency {
    type Err = CurrencyError;

    /// Accepts any case and surrounding spaces (`eur ` is EUR).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let code = s.trim().to_ascii_uppercase();
        match code.as_bytes() {
            [a, b, c] if [a, b, c].iter().all(|x| x.is_ascii_uppercase()) => Ok(Self([*a, *b, *c])),
            _ => Err(CurrencyError(s.to_owned())),
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_three_letters_in_any_case() {
        assert_eq!(
            "eur".parse::<Currency>().map(|c| c.to_string()),
            Ok("EUR".into())
        );
        assert_eq!(
            " GBP ".parse::<Currency>().map(|c| c.to_string()),
            Ok("GBP".into())
        );
        for bad in ["", "EU", "EURO", "E1R", "€", "ÉUR"] {
            assert!(bad.parse::<Currency>().is_err(), "{bad}");
        }
        assert_eq!(Currency::default().as_str(), "USD");
    }
}
