use async_graphql::Enum;
use moneta_core::categories as core;

/// Ten budgetable spending categories, plus three that are never budgeted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "core::Category")]
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

/// Why a transaction has its category, strongest first: the user's own
/// override, then their first matching rule, then a detected transfer
/// between their own accounts, then the curated seller dictionary, then
/// the crowd's clear choice for that seller; otherwise UNCATEGORIZED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "core::CategorySource")]
pub enum CategorySource {
    User,
    Rule,
    Transfer,
    SellerMap,
    Crowd,
    None,
}
