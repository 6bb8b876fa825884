//! `transfers`: money moved between two of a user's own accounts (a card
//! payment, a move to savings), kept out of spending.

use sea_orm::entity::prelude::*;

/// One pair of opposite transactions.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "transfers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// The [`super::transactions`] leg money left by.
    pub outflow_id: i64,
    /// The leg money arrived by.
    pub inflow_id: i64,
    /// `DETECTED`, `CONFIRMED` or `REJECTED`.
    #[sea_orm(column_type = "String(StringLen::N(16))")]
    pub state: String,
    /// How sure the detection was, in percent.
    pub confidence: i32,
    #[sea_orm(column_type = "String(StringLen::N(32))")]
    pub outflow_previous_category: String,
    #[sea_orm(column_type = "String(StringLen::N(16))")]
    pub outflow_previous_source: String,
    #[sea_orm(column_type = "String(StringLen::N(32))")]
    pub inflow_previous_category: String,
    #[sea_orm(column_type = "String(StringLen::N(16))")]
    pub inflow_previous_source: String,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

/// No foreign keys, hence no relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
