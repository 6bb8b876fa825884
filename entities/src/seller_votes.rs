//! `seller_votes`: crowd tallies, how many users put a seller in a category.

use sea_orm::entity::prelude::*;

/// The vote count of one (seller, category).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "seller_votes")]
pub struct Model {
    /// The normalized seller name.
    #[sea_orm(
        primary_key,
        auto_increment = false,
        column_type = "String(StringLen::N(128))"
    )]
    pub seller: String,
    #[sea_orm(
        primary_key,
        auto_increment = false,
        column_type = "String(StringLen::N(32))"
    )]
    pub category: String,
    pub votes: i64,
    pub updated_at: ChronoDateTimeUtc,
}

/// No foreign keys, hence no relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
