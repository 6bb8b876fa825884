//! `user_emails`: normalized email → user id. The backing table of the Vitess
//! lookup vindex that makes an email globally unique (a sharded UNIQUE index
//! alone is only unique within its shard).

use sea_orm::entity::prelude::*;

/// One claimed email address.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_emails")]
pub struct Model {
    /// The normalized (case-folded) email.
    #[sea_orm(
        primary_key,
        auto_increment = false,
        column_type = "String(StringLen::N(254))"
    )]
    pub email_normalized: String,
    /// The user that owns the address.
    pub user_id: i64,
    pub created_at: ChronoDateTimeUtc,
}

/// No foreign keys, hence no relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
