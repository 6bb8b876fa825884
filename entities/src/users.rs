//! `users`: one row per user. `id` is the user id every sharded table keys on.

use sea_orm::entity::prelude::*;

/// A user of Moneta.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    /// Application-generated id; the `user_id` of everything the user owns.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// The email as the user typed it.
    #[sea_orm(column_type = "String(StringLen::N(254))")]
    pub email: String,
    /// The normalized (case-folded) email; unique (`ux_users_email_normalized`,
    /// globally through [`super::user_emails`]).
    #[sea_orm(column_type = "String(StringLen::N(254))", unique)]
    pub email_normalized: String,
    /// Argon2id PHC string.
    #[sea_orm(column_type = "String(StringLen::N(255))")]
    pub password_hash: String,
    /// Monthly income in minor units (cents), if the user gave one.
    pub monthly_income_cents: Option<i64>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
    /// When the user last did something; drives the daily job's selection.
    pub last_active_at: Option<ChronoDateTimeUtc>,
    /// When the user asked for their account to be deleted: from then on
    /// they cannot sign in, and the erasure (`moneta_core::users::Erasure`)
    /// deletes everything of theirs, this row last.
    pub deleted_at: Option<ChronoDateTimeUtc>,
    /// The ISO 4217 currency spending and budgets count (default USD).
    #[sea_orm(column_type = "String(StringLen::N(3))")]
    pub home_currency: String,
}

/// No foreign keys, hence no relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
