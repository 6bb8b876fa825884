//! The thirteen categories and why a transaction has one.

use std::fmt;
use std::str::FromStr;

/// What a transaction was for. Ten spending categories are budgeted;
/// INCOME, TRANSFER and UNCATEGORIZED never are.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Category {
    Housing,
    Food,
    Gas,
    Shopping,
    Utilities,
    Transportation,
    Health,
    Entertainment,
    Travel,
    PersonalCare,
    Income,
    Transfer,
    Uncategorized,
}

impl Category {
    pub const ALL: [Self; 13] = [
        Self::Housing,
        Self::Food,
        Self::Gas,
        Self::Shopping,
        Self::Utilities,
        Self::Transportation,
        Self::Health,
        Self::Entertainment,
        Self::Travel,
        Self::PersonalCare,
        Self::Income,
        Self::Transfer,
        Self::Uncategorized,
    ];

    /// The ten budgetable categories, in display order.
    pub const SPENDING: [Self; 10] = [
        Self::Housing,
        Self::Food,
        Self::Gas,
        Self::Shopping,
        Self::Utilities,
        Self::Transportation,
        Self::Health,
        Self::Entertainment,
        Self::Travel,
        Self::PersonalCare,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Housing => "HOUSING",
            Self::Food => "FOOD",
            Self::Gas => "GAS",
            Self::Shopping => "SHOPPING",
            Self::Utilities => "UTILITIES",
            Self::Transportation => "TRANSPORTATION",
            Self::Health => "HEALTH",
            Self::Entertainment => "ENTERTAINMENT",
            Self::Travel => "TRAVEL",
            Self::PersonalCare => "PERSONAL_CARE",
            Self::Income => "INCOME",
            Self::Transfer => "TRANSFER",
            Self::Uncategorized => "UNCATEGORIZED",
        }
    }

    pub fn is_spending(self) -> bool {
        Self::SPENDING.contains(&self)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown category {0:?}")]
pub struct UnknownCategory(pub String);

impl FromStr for Category {
    type Err = UnknownCategory;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownCategory(s.to_owned()))
    }
}

/// Why a transaction has its category, strongest first: the user's
/// override, their rule, a detected transfer, the dictionary, the crowd.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum CategorySource {
    /// The user chose it for this transaction.
    User,
    /// One of the user's standing rules.
    Rule,
    /// Detected as money moved between two of the user's own accounts.
    Transfer,
    /// The curated seller dictionary.
    SellerMap,
    /// The crowd's clear choice for this seller.
    Crowd,
    /// Nothing knew.
    None,
}

impl CategorySource {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::User => "USER",
            Self::Rule => "RULE",
            Self::Transfer => "TRANSFER",
            Self::SellerMap => "SELLER_MAP",
            Self::Crowd => "CROWD",
            Self::None => "NONE",
        }
    }
}

impl FromStr for CategorySource {
    type Err = UnknownCategory;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            Self::User,
            Self::Rule,
            Self::Transfer,
            Self::SellerMap,
            Self::Crowd,
            Self::None,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
        .ok_or_else(|| UnknownCategory(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in Category::ALL {
            assert_eq!(c.as_str().parse::<Category>().unwrap(), c);
        }
        assert!("food".parse::<Category>().is_err());
    }

    #[test]
    fn ten_spending_categories_exclude_income_transfer_uncategorized() {
        assert_eq!(Category::SPENDING.len(), 10);
        for c in [
            Category::Income,
            Category::Transfer,
            Category::Uncategorized,
        ] {
            assert!(!c.is_spending());
        }
    }
}
