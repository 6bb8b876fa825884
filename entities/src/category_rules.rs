//! `category_rules`: a user's standing rules for categorizing transactions.

use sea_orm::entity::prelude::*;

/// One rule; applied in `position` order, the first match wins.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "category_rules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub position: i32,
    #[sea_orm(column_type = "String(StringLen::N(128))")]
    pub name: String,
    pub enabled: bool,
    /// True: every condition must hold; false: any one.
    pub match_all: bool,
    /// The conditions, as a JSON list.
    #[sea_orm(column_type = "String(StringLen::N(4096))")]
    pub conditions: String,
    #[sea_orm(column_type = "String(StringLen::N(32))", nullable)]
    pub set_category: Option<String>,
    #[sea_orm(column_type = "String(StringLen::N(128))", nullable)]
    pub set_display_name: Option<String>,
    pub mark_transfer: bool,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

/// No foreign keys, hence no relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
