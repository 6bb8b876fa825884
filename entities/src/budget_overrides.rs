//! `budget_overrides`: only the budget amounts a user changed; the rest comes
//! from the income-tier template.

use sea_orm::entity::prelude::*;

/// One user-set monthly budget for a category.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "budget_overrides")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    #[sea_orm(
        primary_key,
        auto_increment = false,
        column_type = "String(StringLen::N(32))"
    )]
    pub category: String,
    /// Minor units (cents) a month.
    pub amount_cents: i64,
    pub updated_at: ChronoDateTimeUtc,
}

/// No foreign keys, hence no relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
