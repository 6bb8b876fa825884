//! `spending_changes.recompute`: whether the month's stored spending must
//! be recomputed from the transactions when the record is settled. A sync
//! page adjusts the totals it changes in its own database transaction and
//! records `false` (only the cached views and the alerts are left to do);
//! an unlink, an override or a budget edit records `true`. A month marked
//! both ways is recomputed: `true` is never overwritten by `false`.
//! Existing rows become `true`, what they meant before this column.
//!
//! The column is added only when missing (`has_column`), so a rerun is a
//! no-op; MySQL 8.0 has no `ADD COLUMN IF NOT EXISTS`.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.has_column("spending_changes", "recompute").await? {
            return Ok(());
        }
        manager
            .alter_table(
                Table::alter()
                    .table(SpendingChanges::Table)
                    .add_column(
                        ColumnDef::new(SpendingChanges::Recompute)
                            .boolean()
                            .not_null()
                            .default(true),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if !manager.has_column("spending_changes", "recompute").await? {
            return Ok(());
        }
        manager
            .alter_table(
                Table::alter()
                    .table(SpendingChanges::Table)
                    .drop_column(SpendingChanges::Recompute)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum SpendingChanges {
    Table,
    Recompute,
}
