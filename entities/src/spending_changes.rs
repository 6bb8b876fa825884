//! `spending_changes`: per user and month, follow-up work a committed
//! change still owes (recompute the month's spending, invalidate the
//! user's cached views, evaluate the month's budget alerts).

use sea_orm::entity::prelude::*;

/// One (user, month) still to settle.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "spending_changes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    /// `yyyymm`, e.g. `202611`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub month: i32,
    /// The latest change that marked it (an id from the generator).
    pub change_id: i64,
    /// When the latest change marked it.
    pub marked_at: ChronoDateTimeUtc,
    /// Whether settling recomputes the month's spending from the
    /// transactions (false: the change adjusted the totals itself).
    pub recompute: bool,
}

/// No foreign keys, hence no relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
