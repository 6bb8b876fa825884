//! Standing category rules, their applications to past transactions (and
//! what each changed, so it can be undone), and transfers between a
//! user's own accounts.
//!
//! - `category_rules`: a user's rules, in `position` order. Conditions are
//!   a bounded JSON list; the actions are columns.
//! - `rule_applications` and `rule_application_changes`: one row per
//!   "apply to existing transactions", and per transaction it changed the
//!   values it had before, which an undo writes back.
//! - `transfers`: a detected or confirmed pair of opposite transactions on
//!   two of the user's accounts, with each leg's category before it.
//! - `transactions` gains `rule_id` (the rule that set the computed
//!   category), `display_name` (a rule's merchant name) and
//!   `transfer_id` (its pair).
//!
//! Every table is user-owned: `user_id` leads each primary key, and no
//! secondary index is needed (every read is by primary key, or a user's
//! few rules). Columns are added only when missing (`has_column`), so a
//! rerun is a no-op; SQLite adds one column per statement.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            category_rules(),
            rule_applications(),
            rule_application_changes(),
            transfers(),
        ] {
            manager.create_table(for_backend(table, manager)).await?;
        }
        for column in [
            ColumnDef::new(Transactions::RuleId)
                .big_integer()
                .null()
                .to_owned(),
            varchar(Transactions::DisplayName, 128).null().to_owned(),
            ColumnDef::new(Transactions::TransferId)
                .big_integer()
                .null()
                .to_owned(),
        ] {
            let name = column.get_column_name();
            if manager.has_column("transactions", &name).await? {
                continue;
            }
            manager
                .alter_table(
                    Table::alter()
                        .table(Transactions::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["transfer_id", "display_name", "rule_id"] {
            if !manager.has_column("transactions", column).await? {
                continue;
            }
            manager
                .alter_table(
                    Table::alter()
                        .table(Transactions::Table)
                        .drop_column(Alias::new(column))
                        .to_owned(),
                )
                .await?;
        }
        for table in [
            Alias::new("transfers"),
            Alias::new("rule_application_changes"),
            Alias::new("rule_applications"),
            Alias::new("category_rules"),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

fn for_backend(mut table: TableCreateStatement, manager: &SchemaManager) -> TableCreateStatement {
    if manager.get_database_backend() == DbBackend::MySql {
        table
            .engine("InnoDB")
            .character_set("utf8mb4")
            .collate("utf8mb4_bin");
    }
    table
}

fn big_int(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).big_integer().not_null().to_owned()
}

fn varchar(col: impl IntoIden, len: u32) -> ColumnDef {
    ColumnDef::new(col).string_len(len).not_null().to_owned()
}

fn timestamp(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .custom(Alias::new("DATETIME(6)"))
        .not_null()
        .to_owned()
}

fn category_rules() -> TableCreateStatement {
    use CategoryRules as C;
    Table::create()
        .table(C::Table)
        .if_not_exists()
        .col(big_int(C::UserId))
        .col(big_int(C::Id))
        .col(ColumnDef::new(C::Position).integer().not_null())
        .col(varchar(C::Name, 128))
        .col(ColumnDef::new(C::Enabled).boolean().not_null())
        .col(ColumnDef::new(C::MatchAll).boolean().not_null())
        .col(varchar(C::Conditions, 4096))
        .col(varchar(C::SetCategory, 32).null())
        .col(varchar(C::SetDisplayName, 128).null())
        .col(ColumnDef::new(C::MarkTransfer).boolean().not_null())
        .col(timestamp(C::CreatedAt))
        .col(timestamp(C::UpdatedAt))
        .primary_key(Index::create().col(C::UserId).col(C::Id))
        .to_owned()
}

fn rule_applications() -> TableCreateStatement {
    use RuleApplications as A;
    Table::create()
        .table(A::Table)
        .if_not_exists()
        .col(big_int(A::UserId))
        .col(big_int(A::Id))
        .col(big_int(A::RuleId))
        .col(ColumnDef::new(A::Changed).integer().not_null())
        .col(timestamp(A::CreatedAt))
        .col(timestamp(A::UndoneAt).null())
        .primary_key(Index::create().col(A::UserId).col(A::Id))
        .to_owned()
}

fn rule_application_changes() -> TableCreateStatement {
    use RuleApplicationChanges as R;
    Table::create()
        .table(R::Table)
        .if_not_exists()
        .col(big_int(R::UserId))
        .col(big_int(R::ApplicationId))
        .col(big_int(R::TransactionId))
        .col(ColumnDef::new(R::Month).integer().not_null())
        .col(varchar(R::PreviousCategory, 32))
        .col(varchar(R::PreviousSource, 16))
        .col(ColumnDef::new(R::PreviousRuleId).big_integer().null())
        .col(varchar(R::PreviousDisplayName, 128).null())
        .primary_key(
            Index::create()
                .col(R::UserId)
                .col(R::ApplicationId)
                .col(R::TransactionId),
        )
        .to_owned()
}

fn transfers() -> TableCreateStatement {
    use Transfers as T;
    Table::create()
        .table(T::Table)
        .if_not_exists()
        .col(big_int(T::UserId))
        .col(big_int(T::Id))
        .col(big_int(T::OutflowId))
        .col(big_int(T::InflowId))
        .col(varchar(T::State, 16))
        .col(ColumnDef::new(T::Confidence).integer().not_null())
        .col(varchar(T::OutflowPreviousCategory, 32))
        .col(varchar(T::OutflowPreviousSource, 16))
        .col(varchar(T::InflowPreviousCategory, 32))
        .col(varchar(T::InflowPreviousSource, 16))
        .col(timestamp(T::CreatedAt))
        .col(timestamp(T::UpdatedAt))
        .primary_key(Index::create().col(T::UserId).col(T::Id))
        .to_owned()
}

#[derive(DeriveIden, Clone, Copy)]
enum Transactions {
    Table,
    RuleId,
    DisplayName,
    TransferId,
}

#[derive(DeriveIden, Clone, Copy)]
enum CategoryRules {
    Table,
    UserId,
    Id,
    Position,
    Name,
    Enabled,
    MatchAll,
    Conditions,
    SetCategory,
    SetDisplayName,
    MarkTransfer,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum RuleApplications {
    Table,
    UserId,
    Id,
    RuleId,
    Changed,
    CreatedAt,
    UndoneAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum RuleApplicationChanges {
    Table,
    UserId,
    ApplicationId,
    TransactionId,
    Month,
    PreviousCategory,
    PreviousSource,
    PreviousRuleId,
    PreviousDisplayName,
}

#[derive(DeriveIden, Clone, Copy)]
enum Transfers {
    Table,
    UserId,
    Id,
    OutflowId,
    InflowId,
    State,
    Confidence,
    OutflowPreviousCategory,
    OutflowPreviousSource,
    InflowPreviousCategory,
    InflowPreviousSource,
    CreatedAt,
    UpdatedAt,
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm_migration::sea_orm::Database;

    #[tokio::test]
    async fn tables_and_columns_come_and_go_and_reruns_are_no_ops() -> Result<(), DbErr> {
        let db = Database::connect("sqlite::memory:").await?;
        crate::Migrator::up(&db, None).await?;
        let manager = SchemaManager::new(&db);
        Migration.up(&manager).await?;
        assert!(manager.has_table("category_rules").await?);
        assert!(manager.has_column("transactions", "transfer_id").await?);
        Migration.down(&manager).await?;
        Migration.down(&manager).await?;
        assert!(!manager.has_table("transfers").await?);
        assert!(!manager.has_column("transactions", "rule_id").await?);
        Migration.up(&manager).await?;
        assert!(manager.has_table("rule_application_changes").await?);
        assert!(manager.has_column("transactions", "display_name").await?);
        Ok(())
    }
}
