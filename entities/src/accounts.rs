//! `accounts`: a user's linked institution logins.

use sea_orm::entity::prelude::*;

/// One linked institution login; unique per (user, institution, login).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// The institution's identifier.
    #[sea_orm(column_type = "String(StringLen::N(64))")]
    pub institution: String,
    /// The login at the institution.
    #[sea_orm(column_type = "String(StringLen::N(255))")]
    pub login: String,
    #[sea_orm(column_type = "String(StringLen::N(255))")]
    pub display_name: String,
    /// AEAD-encrypted credentials (nonce and ciphertext), never plaintext.
    #[sea_orm(column_type = "Blob")]
    pub credentials_ciphertext: Vec<u8>,
    /// Link / sync status.
    #[sea_orm(column_type = "String(StringLen::N(32))")]
    pub status: String,
    /// The institution's opaque cursor for incremental sync.
    #[sea_orm(column_type = "String(StringLen::N(1024))", nullable)]
    pub sync_cursor: Option<String>,
    pub last_synced_at: Option<ChronoDateTimeUtc>,
    /// ISO 4217 code of the account's amounts (USD unless a file said).
    #[sea_orm(column_type = "String(StringLen::N(3))")]
    pub currency: String,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

/// No foreign keys, hence no relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
