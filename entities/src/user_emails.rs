//! `user_emails`: normalized email → keyspace id. The backing table of the
//! Vitess `consistent_lookup_unique` vindex on `users.email_normalized`
//! (owned by `users`), which makes an email globally unique (a sharded
//! UNIQUE index alone is only unique within its shard). It holds the
//! user's keyspace id, not the user id: find a user by email in `users`.

use sea_orm::entity::prelude::*;

/// One claimed email address.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_emails")]
pub struct Model {
    /// The normalized (case-folded) email: the vindex's `from` column.
    #[sea_orm(
        primary_key,
        auto_increment = false,
        column_type = "String(StringLen::N(254))"
    )]
    pub email_normalized: String,
    /// The owning user's keyspace id (8 bytes: the `hash` vindex of the
    /// user id): the vindex's `to` column.
    #[sea_orm(column_type = "VarBinary(StringLen::N(8))")]
    pub keyspace_id: Vec<u8>,
    /// When the address was claimed (defaults to now: vtgate's own insert
    /// names only `from` and `to`).
    pub created_at: ChronoDateTimeUtc,
}

/// No foreign keys, hence no relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
