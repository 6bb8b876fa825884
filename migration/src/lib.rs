//! The schema of Moneta, as `sea-orm-migration` migrations. This crate is the
//! only place the schema changes, and it depends on nothing else of ours.
//!
//! Migrations are frozen history: once a migration has landed, never edit it
//! (a database that already ran it will not run it again, so the edit would
//! reach only fresh databases and the two would drift). To change the schema,
//! add a new migration with a later timestamp and append it to
//! [`Migrator::migrations`].
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
//! - `m20261128_000001_create_schema`: the initial eleven tables.

pub use sea_orm_migration;
use sea_orm_migration::prelude::*;

mod m20261128_000001_create_schema;

/// Runs Moneta's migrations, in order (`Migrator::up(&db, None)`).
#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(m20261128_000001_create_schema::Migration)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm_migration::sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};

    const TABLES: [&str; 11] = [
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

    /// Against MySQL / MariaDB when `MONETA_TEST_MYSQL_URL` names an empty
    /// scratch database (e.g. `mysql://root@127.0.0.1:3306/moneta_mig`);
    /// skipped otherwise. Drops the tables it created.
    #[tokio::test]
    async fn up_twice_down_and_up_on_mysql() -> Result<(), DbErr> {
        let Ok(url) = std::env::var("MONETA_TEST_MYSQL_URL") else {
            eprintln!("MONETA_TEST_MYSQL_URL not set; skipping");
            return Ok(());
        };
        let db = Database::connect(url).await?;
        Migrator::up(&db, None).await?;
        Migrator::up(&db, None).await?;
        let manager = SchemaManager::new(&db);
        for table in TABLES {
            assert!(manager.has_table(table).await?, "missing table {table}");
            let ddl = show_create_table(&db, table).await?;
            assert!(ddl.contains("CHARSET=utf8mb4"), "{ddl}");
            assert!(!ddl.contains("AUTO_INCREMENT"), "{ddl}");
        }
        let ddl = show_create_table(&db, "transactions").await?;
        assert!(ddl.contains("`posted_at` datetime(6) NOT NULL"), "{ddl}");
        assert!(ddl.contains("KEY `ix_transactions_user_posted`"), "{ddl}");

        // The statements themselves are idempotent, not only the bookkeeping.
        m20261128_000001_create_schema::Migration
            .up(&manager)
            .await?;

        Migrator::down(&db, None).await?;
        Migrator::up(&db, None).await?;
        Migrator::down(&db, None).await?;
        for table in TABLES {
            assert!(!manager.has_table(table).await?, "{table} not dropped");
        }
        Ok(())
    }

    async fn show_create_table(db: &DatabaseConnection, table: &str) -> Result<String, DbErr> {
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                format!("SHOW CREATE TABLE `{table}`"),
            ))
            .await?
            .ok_or_else(|| DbErr::Custom(format!("no DDL for {table}")))?;
        row.try_get_by_index(1)
    }
}
