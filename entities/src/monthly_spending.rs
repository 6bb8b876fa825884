//! `monthly_spending`: what a user spent per month and category, recomputed
//! for the months a change touched.

use sea_orm::entity::prelude::*;

/// One (user, month, category) total.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "monthly_spending")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    /// `yyyymm`, e.g. `202611`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub month: i32,
    #[sea_orm(
        primary_key,
        auto_increment = false,
        column_type = "String(StringLen::N(32))"
    )]
    pub category: String,
    /// Minor units (cents).
    pub amount_cents: i64,
    pub updated_at: ChronoDateTimeUtc,
}

/// No foreign keys, hence no relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
