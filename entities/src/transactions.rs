//! `transactions`: bank transactions imported from a linked account.

use sea_orm::entity::prelude::*;

/// One transaction; unique per (user, account, provider transaction id).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "transactions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// The [`super::accounts`] row it came from.
    pub account_id: i64,
    /// The institution's id for the transaction.
    #[sea_orm(column_type = "String(StringLen::N(128))")]
    pub provider_transaction_id: String,
    pub pending: bool,
    /// For a posted transaction: the provider id of the pending one it replaced.
    #[sea_orm(column_type = "String(StringLen::N(128))", nullable)]
    pub pending_transaction_id: Option<String>,
    pub posted_at: ChronoDateTimeUtc,
    /// The UTC month of `posted_at` as `yyyymm`, e.g. `202611`.
    pub month: i32,
    /// The seller as the institution reported it.
    #[sea_orm(column_type = "String(StringLen::N(255))")]
    pub seller_raw: String,
    /// The normalized seller name, key of [`super::sellers`].
    #[sea_orm(column_type = "String(StringLen::N(128))")]
    pub seller_normalized: String,
    /// Minor units (cents); positive is an outflow.
    pub amount_cents: i64,
    /// The computed category.
    #[sea_orm(column_type = "String(StringLen::N(32))")]
    pub category: String,
    /// Where the computed category came from.
    #[sea_orm(column_type = "String(StringLen::N(16))")]
    pub category_source: String,
    /// The user's override, kept apart from the computed category.
    #[sea_orm(column_type = "String(StringLen::N(32))", nullable)]
    pub user_category: Option<String>,
    /// The [`super::category_rules`] row that set the computed category.
    pub rule_id: Option<i64>,
    /// A rule's display name for the merchant.
    #[sea_orm(column_type = "String(StringLen::N(128))", nullable)]
    pub display_name: Option<String>,
    /// The [`super::transfers`] pair this transaction is a leg of.
    pub transfer_id: Option<i64>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

/// No foreign keys, hence no relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
