//! A calendar month, UTC.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Utc};

/// A month as `YYYY-MM`; stored as the integer `yyyymm`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Month {
    year: i32,
    month: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a month is written YYYY-MM, between 1970-01 and 9999-12")]
pub struct InvalidMonth;

impl Month {
    pub fn new(year: i32, month: u32) -> Result<Self, InvalidMonth> {
        if (1970..=9999).contains(&year) && (1..=12).contains(&month) {
            Ok(Self { year, month })
        } else {
            Err(InvalidMonth)
        }
    }

    pub fn of(at: DateTime<Utc>) -> Self {
        Self {
            year: at.year(),
            month: at.month(),
        }
    }

    /// `yyyymm`, as stored.
    pub fn as_int(self) -> i32 {
        self.year * 100 + self.month as i32
    }

    /// The month `n` months before this one.
    pub fn minus(self, n: u32) -> Self {
        let index = self.year * 12 + self.month as i32 - 1 - n as i32;
        Self {
            year: index.div_euclid(12),
            month: index.rem_euclid(12) as u32 + 1,
        }
    }

    pub fn from_int(yyyymm: i32) -> Result<Self, InvalidMonth> {
        Self::new(yyyymm / 100, (yyyymm % 100).unsigned_abs())
    }
}

impl FromStr for Month {
    type Err = InvalidMonth;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (year, month) = s.split_once('-').ok_or(InvalidMonth)?;
        if year.len() != 4
            || month.len() != 2
            || !s.bytes().all(|b| b.is_ascii_digit() || b == b'-')
        {
            return Err(InvalidMonth);
        }
        Self::new(
            year.parse().map_err(|_| InvalidMonth)?,
            month.parse().map_err(|_| InvalidMonth)?,
        )
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// `#[serde(with = "crate::month::as_int")]`: a month as stored,
/// `202612`, where a value's wire or cache format is the stored one.
pub mod as_int {
    use serde::{Deserialize as _, Deserializer, Serializer, de::Error as _};

    use super::Month;

    pub fn serialize<S: Serializer>(month: &Month, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i32(month.as_int())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Month, D::Error> {
        Month::from_int(i32::deserialize(d)?).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_yyyy_mm() {
        let m: Month = "2026-11".parse().unwrap();
        assert_eq!(m.as_int(), 202611);
        assert_eq!(m.to_string(), "2026-11");
        assert_eq!(Month::from_int(202611).unwrap(), m);
    }

    #[test]
    fn counts_back_across_years() {
        let m: Month = "2026-02".parse().unwrap();
        assert_eq!(m.minus(1).to_string(), "2026-01");
        assert_eq!(m.minus(2).to_string(), "2025-12");
        assert_eq!(m.minus(14).to_string(), "2024-12");
    }

    #[test]
    fn rejects_everything_else() {
        for bad in [
            "2026-13",
            "2026-00",
            "2026-1",
            "26-11",
            "2026/11",
            "2026-11-01",
            "",
            "abcd-ef",
            "-2026-11",
            "2026--1",
        ] {
            assert!(bad.parse::<Month>().is_err(), "{bad}");
        }
    }
}
