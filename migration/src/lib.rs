//! The schema of Moneta, as `sea-orm-migration` migrations. This crate is the
//! only place the schema changes, and it depends on nothing else of ours.
//!
//! Migrations are frozen history: once a migration has landed, never edit it
//! (a database that already ran it will not run it again, so the edit would
//! reach only fresh databases and the two would drift). To change the schema,
//! add a new migration with a later timestamp and append it to
//! [`Migrator::migrations`]. (The one edit made since: three migrations
//! recognised a rerun's "already there" by the error's text and now do by
//! its number, `mysql_error`; no statement changed.)
//!
//! Every migration must run unchanged on SQLite (the embedded default) and on
//! MySQL 8 / MariaDB (and so Vitess): application-generated `BIGINT` ids and
//! no auto-increment, no foreign keys, `user_id` leading the primary key and
//! every index of a user-owned table, `DATETIME(6)` UTC timestamps, `BIGINT`
//! minor units for money, bounded `VARCHAR`s, `utf8mb4` tables on MySQL.
//! Statements are idempotent (`IF NOT EXISTS`), and the migrator's own
//! bookkeeping table makes re-running `up` a no-op.
//!
//! # Layout
//!
//! - [`Migrator`]: the ordered list of migrations.
//! - [`vitess`]: the sources of the reference tables, in the global
//!   keyspace (vtgate's `CREATE TABLE` cannot place them).
//! - `mysql_error`: server errors by number, for reruns that meet their
//!   own earlier work.
//! - `m20261128_000001_create_schema`: the initial eleven tables.
//! - `m20261201_000001_email_lookup_keyspace_id`: `user_emails` holds the
//!   user's Vitess keyspace id (`consistent_lookup_unique`), not the user id.
//! - `m20261202_000001_user_emails_created_at_index`: claims by age, for
//!   the job that releases abandoned ones.
//! - `m20261203_000001_users_deleted_at`: `users.deleted_at`, set when a
//!   user asks for their account to be deleted (the erasure's progress mark).
//! - `m20261204_000001_spending_changes`: the follow-up work (recompute,
//!   invalidate, evaluate alerts) a committed change still owes.
//! - `m20261205_000001_spending_changes_recompute`: whether settling a
//!   record recomputes the month's spending (a sync page adjusts it itself).
//! - `m20261206_000001_rules_and_transfers`: standing category rules, their
//!   undoable applications, transfers, and the transaction columns they set.
//! - `m20261207_000001_imports`: imported bank files, each account's
//!   currency and the user's home currency.

pub use sea_orm_migration;
use sea_orm_migration::prelude::*;

mod m20261128_000001_create_schema;
mod m20261201_000001_email_lookup_keyspace_id;
mod m20261202_000001_user_emails_created_at_index;
mod m20261203_000001_users_deleted_at;
mod m20261204_000001_spending_changes;
mod m20261205_000001_spending_changes_recompute;
mod m20261206_000001_rules_and_transfers;
mod m20261207_000001_imports;
mod mysql_error;
pub mod vitess;

/// Runs Moneta's migrations, in order (`Migrator::up(&db, None)`).
#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_create_schema::Migration),
            Box::new(m20261201_000001_email_lookup_keyspace_id::Migration),
            Box::new(m20261202_000001_user_emails_created_at_index::Migration),
            Box::new(m20261203_000001_users_deleted_at::Migration),
            Box::new(m20261204_000001_spending_changes::Migration),
            Box::new(m20261205_000001_spending_changes_recompute::Migration),
            Box::new(m20261206_000001_rules_and_transfers::Migration),
            Box::new(m20261207_000001_imports::Migration),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm_migration::sea_orm::Database;

    const TABLES: [&str; 16] = [
        "users",
        "user_emails",
        "refresh_tokens",
        "accounts",
        "transactions",
        "monthly_spending",
        "budget_overrides",
        "notifications",
        "sellers",
        "seller_votes",
        "user_seller_votes",
        "category_rules",
        "rule_applications",
        "rule_application_changes",
        "transfers",
        "imports",
    ];

    #[tokio::test]
    async fn up_twice_on_sqlite_creates_every_table() -> Result<(), DbErr> {
        let db = Database::connect("sqlite::memory:").await?;
        Migrator::up(&db, None).await?;
        Migrator::up(&db, None).await?;

        let manager = SchemaManager::new(&db);
        for table in TABLES {
            assert!(manager.has_table(table).await?, "missing table {table}");
        }
        assert!(Migrator::get_pending_migrations(&db).await?.is_empty());
        Ok(())
    }

    #[tokio::test]
    async fn down_then_up_again_on_sqlite() -> Result<(), DbErr> {
        let db = Database::connect("sqlite::memory:").await?;
        Migrator::up(&db, None).await?;
        Migrator::down(&db, None).await?;

        let manager = SchemaManager::new(&db);
        for table in TABLES {
            assert!(!manager.has_table(table).await?, "{table} not dropped");
        }
        Migrator::up(&db, None).await?;
        for table in TABLES {
            assert!(manager.has_table(table).await?, "missing table {table}");
        }
        Ok(())
    }
}
