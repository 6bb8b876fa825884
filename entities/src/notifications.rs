//! `notifications`: budget alerts and other messages to a user.

use sea_orm::entity::prelude::*;

/// One notification. `(user_id, kind, category, month)` is unique
/// (`ux_notifications_alert`), so a budget alert fires once per month; as
/// NULLs are distinct in a unique index, that holds only when `category` and
/// `month` are set.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    #[sea_orm(column_type = "String(StringLen::N(32))")]
    pub kind: String,
    #[sea_orm(column_type = "String(StringLen::N(32))", nullable)]
    pub category: Option<String>,
    /// `yyyymm`, e.g. `202611`.
    pub month: Option<i32>,
    #[sea_orm(column_type = "String(StringLen::N(512))")]
    pub message: String,
    /// Whether the user has read it (`READ` is a reserved word).
    pub is_read: bool,
    pub created_at: ChronoDateTimeUtc,
}

/// No foreign keys, hence no relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
