//! `users.deleted_at`: when the user asked for their account to be
//! deleted. Set first, before any of their rows goes, so sign-in and
//! refresh refuse at once; the row itself is deleted last, so a user row
//! with `deleted_at` set is an erasure still to finish (the
//! `resume-erasures` job finds them through `ix_users_deleted_at`).
//!
//! Each step checks first, so a rerun (or a run interrupted between the
//! two: MySQL DDL is not transactional) is a no-op: the column through
//! `has_column` (`users` is in the connection's own keyspace, so
//! `information_schema` describes it even through vtgate); the index as
//! in `m20261202_000001`: MySQL 8.0 has no `CREATE INDEX IF NOT EXISTS`,
//! so there `ER_DUP_KEYNAME` is taken as done.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::mysql_error;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "ix_users_deleted_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if !manager.has_column("users", "deleted_at").await? {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .add_column(
                            ColumnDef::new(Users::DeletedAt)
                                .custom(Alias::new("DATETIME(6)"))
                                .null(),
                        )
                        .to_owned(),
                )
                .await?;
        }
        let created = manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Users::Table)
                    .col(Users::DeletedAt)
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
        drop.name(INDEX).table(Users::Table);
        if !is_mysql(manager) {
            drop.if_exists();
        }
        match manager.drop_index(drop).await {
            Err(err) if mysql_error::is(&err, mysql_error::CANT_DROP_FIELD_OR_KEY) => {}
            other => other?,
        }
        if manager.has_column("users", "deleted_at").await? {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .drop_column(Users::DeletedAt)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

fn is_mysql(manager: &SchemaManager<'_>) -> bool {
    manager.get_database_backend() == DbBackend::MySql
}

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    DeletedAt,
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm_migration::sea_orm::Database;

    #[tokio::test]
    async fn the_column_comes_and_goes_and_reruns_are_no_ops() -> Result<(), DbErr> {
        let db = Database::connect("sqlite::memory:").await?;
        crate::Migrator::up(&db, None).await?;
        let manager = SchemaManager::new(&db);
        assert!(manager.has_column("users", "deleted_at").await?);
        assert!(manager.has_index("users", INDEX).await?);
        Migration.up(&manager).await?;
        Migration.down(&manager).await?;
        Migration.down(&manager).await?;
        assert!(!manager.has_column("users", "deleted_at").await?);
        assert!(!manager.has_index("users", INDEX).await?);
        Migration.up(&manager).await?;
        assert!(manager.has_column("users", "deleted_at").await?);
        Ok(())
    }
}
