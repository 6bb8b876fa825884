//! `spending_changes`: the follow-up work a committed change still owes.
//!
//! A row (user, month) is written in the same database transaction as a
//! change to that month's transactions, budget or income — a sync page, an
//! unlink, a category override, a budget or income edit — and deleted only
//! after the month's spending was recomputed, the user's cached views
//! invalidated and the month's budget alerts evaluated. A process killed in
//! between leaves the row behind, for the retry or the `sweep-spending`
//! job to finish. `change_id` names the latest change: clearing a row that
//! a newer change re-marked meanwhile leaves it in place.
//!
//! One row per (user, month): `user_id` leads the primary key, as on every
//! user-owned table (Vitess routes on it). The table stays small — rows
//! live for the length of a request or a sync page — so the sweeper's scan
//! for rows older than a horizon needs no index of its own.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create()
            .table(SpendingChanges::Table)
            .if_not_exists()
            .col(
                ColumnDef::new(SpendingChanges::UserId)
                    .big_integer()
                    .not_null(),
            )
            .col(ColumnDef::new(SpendingChanges::Month).integer().not_null())
            .col(
                ColumnDef::new(SpendingChanges::ChangeId)
                    .big_integer()
                    .not_null(),
            )
            .col(
                ColumnDef::new(SpendingChanges::MarkedAt)
                    .custom(Alias::new("DATETIME(6)"))
                    .not_null(),
            )
            .primary_key(
                Index::create()
                    .col(SpendingChanges::UserId)
                    .col(SpendingChanges::Month),
            )
            .to_owned();
        if manager.get_database_backend() == DbBackend::MySql {
            table
                .engine("InnoDB")
                .character_set("utf8mb4")
                .collate("utf8mb4_bin");
        }
        manager.create_table(table).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(SpendingChanges::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum SpendingChanges {
    Table,
    UserId,
    Month,
    ChangeId,
    MarkedAt,
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm_migration::sea_orm::Database;

    #[tokio::test]
    async fn the_table_comes_and_goes_and_reruns_are_no_ops() -> Result<(), DbErr> {
        let db = Database::connect("sqlite::memory:").await?;
        crate::Migrator::up(&db, None).await?;
        let manager = SchemaManager::new(&db);
        assert!(manager.has_table("spending_changes").await?);
        Migration.up(&manager).await?;
        Migration.down(&manager).await?;
        Migration.down(&manager).await?;
        assert!(!manager.has_table("spending_changes").await?);
        Migration.up(&manager).await?;
        assert!(manager.has_table("spending_changes").await?);
        Ok(())
    }
}
