//! `rule_application_changes`: what one rule application changed, so an
//! undo can write it back.

use sea_orm::entity::prelude::*;

/// One transaction's values before the application.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rule_application_changes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub application_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub transaction_id: i64,
    /// The transaction's month (`yyyymm`), whose spending the undo moves.
    pub month: i32,
    #[sea_orm(column_type = "String(StringLen::N(32))")]
    pub previous_category: String,
    #[sea_orm(column_type = "String(StringLen::N(16))")]
    pub previous_source: String,
    pub previous_rule_id: Option<i64>,
    #[sea_orm(column_type = "String(StringLen::N(128))", nullable)]
    pub previous_display_name: Option<String>,
}

/// No foreign keys, hence no relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
