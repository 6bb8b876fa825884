use async_graphql::Enum;
use moneta_core::categories as core;

/// Ten budgetable spending categories, plus three that are never budgeted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
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

impl From<core::Category> for Category {
    fn from(c: core::Category) -> Self {
        use core::Category as C;
        match c {
            C::Housing => Self::Housing,
            C::Food => Self::Food,
            C::Gas => Self::Gas,
            C::Shopping => Self::Shopping,
            C::Utilities => Self::Utilities,
            C::Transportation => Self::Transportation,
            C::Health => Self::Health,
            C::Entertainment => Self::Entertainment,
            C::Travel => Self::Travel,
            C::PersonalCare => Self::PersonalCare,
            C::Income => Self::Income,
            C::Transfer => Self::Transfer,
            C::Uncategorized => Self::Uncategorized,
        }
    }
}

impl From<Category> for core::Category {
    fn from(c: Category) -> Self {
        use core::Category as C;
        match c {
            Category::Housing => C::Housing,
            Category::Food => C::Food,
            Category::Gas => C::Gas,
            Category::Shopping => C::Shopping,
            Category::Utilities => C::Utilities,
            Category::Transportation => C::Transportation,
            Category::Health => C::Health,
            Category::Entertainment => C::Entertainment,
            Category::Travel => C::Travel,
            Category::PersonalCare => C::PersonalCare,
            Category::Income => C::Income,
            Category::Transfer => C::Transfer,
            Category::Uncategorized => C::Uncategorized,
        }
    }
}

/// Why a transaction has its category: the user's own override wins, then
/// the curated seller dictionary, then the crowd's clear choice for that
/// seller; otherwise UNCATEGORIZED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum CategorySource {
    User,
    SellerMap,
    Crowd,
    None,
}

impl From<core::CategorySource> for CategorySource {
    fn from(s: core::CategorySource) -> Self {
        match s {
            core::CategorySource::User => Self::User,
            core::CategorySource::SellerMap => Self::SellerMap,
            core::CategorySource::Crowd => Self::Crowd,
            core::CategorySource::None => Self::None,
        }
    }
}
