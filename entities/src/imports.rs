//! `imports`: the bank files a user imported, one row per file.

use sea_orm::entity::prelude::*;

/// One imported file: where it went and what it did. The file itself is
/// in the object store under the user's prefix.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "imports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub account_id: i64,
    /// Hex SHA-256 of the file's bytes.
    #[sea_orm(column_type = "String(StringLen::N(64))")]
    pub sha256: String,
    /// `OFX`, `QIF`, `CSV` or `CAMT053`.
    #[sea_orm(column_type = "String(StringLen::N(16))")]
    pub format: String,
    #[sea_orm(column_type = "String(StringLen::N(255))")]
    pub file_name: String,
    pub added: i32,
    pub duplicates: i32,
    pub rejected: i32,
    pub created_at: ChronoDateTimeUtc,
}

/// No foreign keys, hence no relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
