//! An index on `user_emails (created_at)`, for the job that releases the
//! claims of registrations that died between claim and user insert: each
//! run reads only the claims of its window (claimed an hour to a week
//! ago) instead of every address ever registered. `user_emails` is a
//! global (unsharded) table, so `user_id` need not lead the index.
//!
//! MySQL 8.0 has no `CREATE INDEX IF NOT EXISTS` (sea-query drops the
//! clause there): on MySQL/MariaDB a rerun meets `ER_DUP_KEYNAME` and
//! takes it as done; SQLite keeps the clause.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::mysql_error;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "ix_user_emails_created_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let created = manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(UserEmails::Table)
                    .col(UserEmails::CreatedAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await;
        match created {
            Err(err) if mysql_error::is(&err, mysql_error::DUPLICATE_KEY_NAME) => Ok(()),
            other => other,
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut drop = Index::drop();
        drop.name(INDEX).table(UserEmails::Table);
        // MySQL has no `DROP INDEX IF EXISTS` (sea-query refuses to write
        // it there): its error says the index is gone instead.
        if !is_mysql(manager) {
            drop.if_exists();
        }
        let dropped = manager.drop_index(drop).await;
        match dropped {
            Err(err) if mysql_error::is(&err, mysql_error::CANT_DROP_FIELD_OR_KEY) => Ok(()),
            other => other,
        }
    }
}

fn is_mysql(manager: &SchemaManager<'_>) -> bool {
    manager.get_database_backend() == DbBackend::MySql
}

#[derive(DeriveIden, Clone, Copy)]
enum UserEmails {
    Table,
    CreatedAt,
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm_migration::sea_orm::{Database, Statement};

    #[tokio::test]
    async fn the_index_comes_and_goes_and_reruns_are_no_ops() -> Result<(), DbErr> {
        let db = Database::connect("sqlite::memory:").await?;
        crate::Migrator::up(&db, None).await?;
        let manager = SchemaManager::new(&db);
        let count = || async {
            let row = db
                .query_one_raw(Statement::from_string(
                    DbBackend::Sqlite,
                    format!("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = '{INDEX}'"),
                ))
                .await?
                .ok_or_else(|| DbErr::Custom("no row".to_owned()))?;
            row.try_get_by_index::<i64>(0)
        };
        assert_eq!(count().await?, 1);
        Migration.up(&manager).await?;
        assert_eq!(count().await?, 1);
        Migration.down(&manager).await?;
        Migration.down(&manager).await?;
        assert_eq!(count().await?, 0);
        Ok(())
    }
}
