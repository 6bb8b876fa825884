//! `refresh_tokens`: the SHA-256 of each issued refresh token (never the token
//! itself), grouped in rotation families for reuse detection.

use sea_orm::entity::prelude::*;

/// One issued refresh token.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "refresh_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// The rotation family: every token rotated from one login shares it.
    pub family_id: i64,
    /// Lower-case hex SHA-256 of the token; unique per user.
    #[sea_orm(column_type = "Char(Some(64))")]
    pub token_hash: String,
    pub expires_at: ChronoDateTimeUtc,
    pub created_at: ChronoDateTimeUtc,
    /// Set when the token was rotated, logged out or its family revoked.
    pub revoked_at: Option<ChronoDateTimeUtc>,
}

/// No foreign keys, hence no relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
