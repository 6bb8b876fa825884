//! Bank-file imports and currencies.
//!
//! - `imports`: one row per imported file — into which account, the
//!   file's sha256 (a re-import of the same file finds its account), its
//!   format and name, and what it did (added, duplicates skipped, rows
//!   rejected). The file itself is in the object store.
//! - `accounts.currency`: the ISO 4217 code of the account's amounts
//!   (from the file: OFX `CURDEF`, CAMT `Ccy`); USD for the accounts that
//!   existed before.
//! - `users.home_currency`: the currency spending and budgets count; the
//!   others are listed apart, never converted.
//!
//! `imports` is user-owned (`user_id` leads its key); read by primary key
//! or a user's few rows. Columns are added only when missing.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(imports(manager)).await?;
        add_currency(manager, "accounts", Accounts::Table, Accounts::Currency).await?;
        add_currency(manager, "users", Users::Table, Users::HomeCurrency).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in [("users", "home_currency"), ("accounts", "currency")] {
            if manager.has_column(table, column).await? {
                manager
                    .alter_table(
                        Table::alter()
                            .table(Alias::new(table))
                            .drop_column(Alias::new(column))
                            .to_owned(),
                    )
                    .await?;
            }
        }
        manager
            .drop_table(Table::drop().table(Imports::Table).if_exists().to_owned())
            .await
    }
}

/// A `CHAR(3)`-sized currency column, `USD` for the rows already there.
async fn add_currency(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
    column: impl IntoIden,
) -> Result<(), DbErr> {
    let column = ColumnDef::new(column)
        .string_len(3)
        .not_null()
        .default("USD")
        .to_owned();
    if manager.has_column(name, &column.get_column_name()).await? {
        return Ok(());
    }
    manager
        .alter_table(Table::alter().table(table).add_column(column).to_owned())
        .await
}

fn imports(manager: &SchemaManager) -> TableCreateStatement {
    use Imports as I;
    let count = |c: Imports| ColumnDef::new(c).integer().not_null().to_owned();
    let mut table = Table::create()
        .table(I::Table)
        .if_not_exists()
        .col(ColumnDef::new(I::UserId).big_integer().not_null())
        .col(ColumnDef::new(I::Id).big_integer().not_null())
        .col(ColumnDef::new(I::AccountId).big_integer().not_null())
        .col(ColumnDef::new(I::Sha256).string_len(64).not_null())
        .col(ColumnDef::new(I::Format).string_len(16).not_null())
        .col(ColumnDef::new(I::FileName).string_len(255).not_null())
        .col(count(I::Added))
        .col(count(I::Duplicates))
        .col(count(I::Rejected))
        .col(
            ColumnDef::new(I::CreatedAt)
                .custom(Alias::new("DATETIME(6)"))
                .not_null(),
        )
        .primary_key(Index::create().col(I::UserId).col(I::Id))
        .to_owned();
    if manager.get_database_backend() == DbBackend::MySql {
        table
            .engine("InnoDB")
            .character_set("utf8mb4")
            .collate("utf8mb4_bin");
    }
    table
}

#[derive(DeriveIden, Clone, Copy)]
enum Imports {
    Table,
    UserId,
    Id,
    AccountId,
    Sha256,
    Format,
    FileName,
    Added,
    Duplicates,
    Rejected,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Accounts {
    Table,
    Currency,
}

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    HomeCurrency,
}
