//! `sellers`: the curated seller → category dictionary, an unsharded
//! reference table.

use sea_orm::entity::prelude::*;

/// One known seller.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sellers")]
pub struct Model {
    /// The normalized seller name, as in `transactions.seller_normalized`.
    #[sea_orm(
        primary_key,
        auto_increment = false,
        column_type = "String(StringLen::N(128))"
    )]
    pub normalized_name: String,
    #[sea_orm(column_type = "String(StringLen::N(255))")]
    pub display_name: String,
    #[sea_orm(column_type = "String(StringLen::N(32))")]
    pub category: String,
    pub updated_at: ChronoDateTimeUtc,
}

/// No foreign keys, hence no relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
