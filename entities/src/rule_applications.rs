//! `rule_applications`: a rule applied to a user's existing transactions.

use sea_orm::entity::prelude::*;

/// One application; undone as one step.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rule_applications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub rule_id: i64,
    /// How many transactions it changed.
    pub changed: i32,
    pub created_at: ChronoDateTimeUtc,
    pub undone_at: Option<ChronoDateTimeUtc>,
}

/// No foreign keys, hence no relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
