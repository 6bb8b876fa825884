//! The initial schema: all eleven tables, each built by its own function.
//!
//! Portability notes (SQLite and MySQL 8 / MariaDB):
//! - MySQL 8.0 has no `CREATE INDEX IF NOT EXISTS` (sea-query silently drops
//!   the clause for MySQL), so on MySQL the secondary indexes are declared
//!   inside `CREATE TABLE IF NOT EXISTS`; SQLite cannot declare a non-unique
//!   index inline, so there they are separate `CREATE INDEX IF NOT EXISTS`.
//!   Either way every statement is idempotent.
//! - Primary keys are table constraints, never auto-increment; index names
//!   are prefixed by their table, as SQLite's are database-wide.
//! - Timestamps are the custom type `DATETIME(6)`: microseconds on MySQL;
//!   on SQLite the type name is free-form and sqlx stores RFC 3339 text.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for ddl in tables() {
            ddl.create(manager).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for ddl in tables().into_iter().rev() {
            manager
                .drop_table(Table::drop().table(ddl.name).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

/// Every table of this migration, in creation order.
fn tables() -> Vec<TableDdl> {
    vec![
        users(),
        user_emails(),
        refresh_tokens(),
        accounts(),
        transactions(),
        monthly_spending(),
        budget_overrides(),
        notifications(),
        sellers(),
        seller_votes(),
        user_seller_votes(),
    ]
}

// ---------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------

fn users() -> TableDdl {
    let mut ddl = TableDdl::new(Users::Table);
    ddl.table
        .col(big_int(Users::Id))
        .col(varchar(Users::Email, 254))
        .col(varchar(Users::EmailNormalized, 254))
        .col(varchar(Users::PasswordHash, 255))
        .col(big_int_null(Users::MonthlyIncomeCents))
        .col(datetime(Users::CreatedAt))
        .col(datetime(Users::UpdatedAt))
        .col(datetime_null(Users::LastActiveAt))
        .primary_key(Index::create().col(Users::Id));
    ddl.unique_index("ux_users_email_normalized", [Users::EmailNormalized]);
    ddl
}

fn user_emails() -> TableDdl {
    let mut ddl = TableDdl::new(UserEmails::Table);
    ddl.table
        .col(varchar(UserEmails::EmailNormalized, 254))
        .col(big_int(UserEmails::UserId))
        .col(datetime(UserEmails::CreatedAt))
        .primary_key(Index::create().col(UserEmails::EmailNormalized));
    ddl
}

fn refresh_tokens() -> TableDdl {
    let mut ddl = TableDdl::new(RefreshTokens::Table);
    ddl.table
        .col(big_int(RefreshTokens::UserId))
        .col(big_int(RefreshTokens::Id))
        .col(big_int(RefreshTokens::FamilyId))
        .col(char_fixed(RefreshTokens::TokenHash, 64))
        .col(datetime(RefreshTokens::ExpiresAt))
        .col(datetime(RefreshTokens::CreatedAt))
        .col(datetime_null(RefreshTokens::RevokedAt))
        .primary_key(
            Index::create()
                .col(RefreshTokens::UserId)
                .col(RefreshTokens::Id),
        );
    ddl.unique_index(
        "ux_refresh_tokens_user_token_hash",
        [RefreshTokens::UserId, RefreshTokens::TokenHash],
    );
    ddl.index(
        "ix_refresh_tokens_user_family",
        [RefreshTokens::UserId, RefreshTokens::FamilyId],
    );
    ddl
}

fn accounts() -> TableDdl {
    let mut ddl = TableDdl::new(Accounts::Table);
    ddl.table
        .col(big_int(Accounts::UserId))
        .col(big_int(Accounts::Id))
        .col(varchar(Accounts::Institution, 64))
        .col(varchar(Accounts::Login, 255))
        .col(varchar(Accounts::DisplayName, 255))
        .col(
            ColumnDef::new(Accounts::CredentialsCiphertext)
                .blob()
                .not_null(),
        )
        .col(varchar(Accounts::Status, 32))
        .col(varchar_null(Accounts::SyncCursor, 1024))
        .col(datetime_null(Accounts::LastSyncedAt))
        .col(datetime(Accounts::CreatedAt))
        .col(datetime(Accounts::UpdatedAt))
        .primary_key(Index::create().col(Accounts::UserId).col(Accounts::Id));
    ddl.unique_index(
        "ux_accounts_user_institution_login",
        [Accounts::UserId, Accounts::Institution, Accounts::Login],
    );
    ddl
}

fn transactions() -> TableDdl {
    let mut ddl = TableDdl::new(Transactions::Table);
    ddl.table
        .col(big_int(Transactions::UserId))
        .col(big_int(Transactions::Id))
        .col(big_int(Transactions::AccountId))
        .col(varchar(Transactions::ProviderTransactionId, 128))
        .col(boolean(Transactions::Pending))
        .col(varchar_null(Transactions::PendingTransactionId, 128))
        .col(datetime(Transactions::PostedAt))
        .col(int(Transactions::Month))
        .col(varchar(Transactions::SellerRaw, 255))
        .col(varchar(Transactions::SellerNormalized, 128))
        .col(big_int(Transactions::AmountCents))
        .col(varchar(Transactions::Category, 32))
        .col(varchar(Transactions::CategorySource, 16))
        .col(varchar_null(Transactions::UserCategory, 32))
        .col(datetime(Transactions::CreatedAt))
        .col(datetime(Transactions::UpdatedAt))
        .primary_key(
            Index::create()
                .col(Transactions::UserId)
                .col(Transactions::Id),
        );
    ddl.unique_index(
        "ux_transactions_user_account_provider_id",
        [
            Transactions::UserId,
            Transactions::AccountId,
            Transactions::ProviderTransactionId,
        ],
    );
    ddl.index(
        "ix_transactions_user_posted",
        [
            Transactions::UserId,
            Transactions::PostedAt,
            Transactions::Id,
        ],
    );
    ddl.index(
        "ix_transactions_user_account_posted",
        [
            Transactions::UserId,
            Transactions::AccountId,
            Transactions::PostedAt,
            Transactions::Id,
        ],
    );
    ddl.index(
        "ix_transactions_user_month_category",
        [
            Transactions::UserId,
            Transactions::Month,
            Transactions::Category,
        ],
    );
    ddl
}

fn monthly_spending() -> TableDdl {
    let mut ddl = TableDdl::new(MonthlySpending::Table);
    ddl.table
        .col(big_int(MonthlySpending::UserId))
        .col(int(MonthlySpending::Month))
        .col(varchar(MonthlySpending::Category, 32))
        .col(big_int(MonthlySpending::AmountCents))
        .col(datetime(MonthlySpending::UpdatedAt))
        .primary_key(
            Index::create()
                .col(MonthlySpending::UserId)
                .col(MonthlySpending::Month)
                .col(MonthlySpending::Category),
        );
    ddl
}

fn budget_overrides() -> TableDdl {
    let mut ddl = TableDdl::new(BudgetOverrides::Table);
    ddl.table
        .col(big_int(BudgetOverrides::UserId))
        .col(varchar(BudgetOverrides::Category, 32))
        .col(big_int(BudgetOverrides::AmountCents))
        .col(datetime(BudgetOverrides::UpdatedAt))
        .primary_key(
            Index::create()
                .col(BudgetOverrides::UserId)
                .col(BudgetOverrides::Category),
        );
    ddl
}

fn notifications() -> TableDdl {
    let mut ddl = TableDdl::new(Notifications::Table);
    ddl.table
        .col(big_int(Notifications::UserId))
        .col(big_int(Notifications::Id))
        .col(varchar(Notifications::Kind, 32))
        .col(varchar_null(Notifications::Category, 32))
        .col(int_null(Notifications::Month))
        .col(varchar(Notifications::Message, 512))
        .col(boolean(Notifications::IsRead).default(false))
        .col(datetime(Notifications::CreatedAt))
        .primary_key(
            Index::create()
                .col(Notifications::UserId)
                .col(Notifications::Id),
        );
    // NULLs are distinct in a unique index (MySQL and SQLite alike): the
    // one-alert-per-month guarantee needs `category` and `month` set.
    ddl.unique_index(
        "ux_notifications_alert",
        [
            Notifications::UserId,
            Notifications::Kind,
            Notifications::Category,
            Notifications::Month,
        ],
    );
    ddl.index(
        "ix_notifications_user_created",
        [
            Notifications::UserId,
            Notifications::CreatedAt,
            Notifications::Id,
        ],
    );
    ddl
}

fn sellers() -> TableDdl {
    let mut ddl = TableDdl::new(Sellers::Table);
    ddl.table
        .col(varchar(Sellers::NormalizedName, 128))
        .col(varchar(Sellers::DisplayName, 255))
        .col(varchar(Sellers::Category, 32))
        .col(datetime(Sellers::UpdatedAt))
        .primary_key(Index::create().col(Sellers::NormalizedName));
    ddl
}

fn seller_votes() -> TableDdl {
    let mut ddl = TableDdl::new(SellerVotes::Table);
    ddl.table
        .col(varchar(SellerVotes::Seller, 128))
        .col(varchar(SellerVotes::Category, 32))
        .col(big_int(SellerVotes::Votes))
        .col(datetime(SellerVotes::UpdatedAt))
        .primary_key(
            Index::create()
                .col(SellerVotes::Seller)
                .col(SellerVotes::Category),
        );
    ddl
}

fn user_seller_votes() -> TableDdl {
    let mut ddl = TableDdl::new(UserSellerVotes::Table);
    ddl.table
        .col(big_int(UserSellerVotes::UserId))
        .col(varchar(UserSellerVotes::Seller, 128))
        .col(varchar(UserSellerVotes::Category, 32))
        .col(datetime(UserSellerVotes::CreatedAt))
        .col(datetime(UserSellerVotes::UpdatedAt))
        .primary_key(
            Index::create()
                .col(UserSellerVotes::UserId)
                .col(UserSellerVotes::Seller),
        );
    ddl
}

// ---------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------

/// A table and its secondary indexes, rendered per backend by [`Self::create`].
struct TableDdl {
    name: DynIden,
    table: TableCreateStatement,
    indexes: Vec<IndexCreateStatement>,
}

impl TableDdl {
    fn new(name: impl IntoIden) -> Self {
        let name = name.into_iden();
        let table = Table::create()
            .table(name.clone())
            .if_not_exists()
            .to_owned();
        Self {
            name,
            table,
            indexes: Vec::new(),
        }
    }

    fn index<C: IntoIden>(&mut self, name: &str, cols: impl IntoIterator<Item = C>) {
        let mut index = Index::create();
        index.name(name).table(self.name.clone()).if_not_exists();
        for col in cols {
            index.col(col.into_iden());
        }
        self.indexes.push(index);
    }

    fn unique_index<C: IntoIden>(&mut self, name: &str, cols: impl IntoIterator<Item = C>) {
        self.index(name, cols);
        if let Some(index) = self.indexes.last_mut() {
            index.unique();
        }
    }

    /// The statements to run on `backend`, in order: the table, then (except
    /// on MySQL, where they are inline) its indexes.
    fn statements(self, backend: DbBackend) -> (TableCreateStatement, Vec<IndexCreateStatement>) {
        let Self {
            mut table, indexes, ..
        } = self;
        if backend == DbBackend::MySql {
            for mut index in indexes {
                table.index(&mut index);
            }
            table
                .engine("InnoDB")
                .character_set("utf8mb4")
                .collate("utf8mb4_bin");
            (table, Vec::new())
        } else {
            (table, indexes)
        }
    }

    async fn create(self, manager: &SchemaManager<'_>) -> Result<(), DbErr> {
        let (table, indexes) = self.statements(manager.get_database_backend());
        manager.create_table(table).await?;
        for index in indexes {
            manager.create_index(index).await?;
        }
        Ok(())
    }
}

fn big_int(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).big_integer().not_null().to_owned()
}

fn big_int_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).big_integer().null().to_owned()
}

fn int(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).integer().not_null().to_owned()
}

fn int_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).integer().null().to_owned()
}

fn varchar(col: impl IntoIden, len: u32) -> ColumnDef {
    ColumnDef::new(col).string_len(len).not_null().to_owned()
}

fn varchar_null(col: impl IntoIden, len: u32) -> ColumnDef {
    ColumnDef::new(col).string_len(len).null().to_owned()
}

fn char_fixed(col: impl IntoIden, len: u32) -> ColumnDef {
    ColumnDef::new(col).char_len(len).not_null().to_owned()
}

fn boolean(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).boolean().not_null().to_owned()
}

/// `DATETIME(6)`: UTC with microseconds.
fn datetime(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .custom(Alias::new("DATETIME(6)"))
        .not_null()
        .to_owned()
}

fn datetime_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .custom(Alias::new("DATETIME(6)"))
        .null()
        .to_owned()
}

// ---------------------------------------------------------------------------
// Identifiers
// ---------------------------------------------------------------------------

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    EmailNormalized,
    PasswordHash,
    MonthlyIncomeCents,
    CreatedAt,
    UpdatedAt,
    LastActiveAt,
}

#[derive(DeriveIden)]
enum UserEmails {
    Table,
    EmailNormalized,
    UserId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    UserId,
    Id,
    FamilyId,
    TokenHash,
    ExpiresAt,
    CreatedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    UserId,
    Id,
    Institution,
    Login,
    DisplayName,
    CredentialsCiphertext,
    Status,
    SyncCursor,
    LastSyncedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Transactions {
    Table,
    UserId,
    Id,
    AccountId,
    ProviderTransactionId,
    Pending,
    PendingTransactionId,
    PostedAt,
    Month,
    SellerRaw,
    SellerNormalized,
    AmountCents,
    Category,
    CategorySource,
    UserCategory,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MonthlySpending {
    Table,
    UserId,
    Month,
    Category,
    AmountCents,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum BudgetOverrides {
    Table,
    UserId,
    Category,
    AmountCents,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    UserId,
    Id,
    Kind,
    Category,
    Month,
    Message,
    IsRead,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sellers {
    Table,
    NormalizedName,
    DisplayName,
    Category,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SellerVotes {
    Table,
    Seller,
    Category,
    Votes,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum UserSellerVotes {
    Table,
    UserId,
    Seller,
    Category,
    CreatedAt,
    UpdatedAt,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sql(backend: DbBackend) -> Vec<String> {
        let mut out = Vec::new();
        for ddl in tables() {
            let (table, indexes) = ddl.statements(backend);
            out.push(backend.build(&table).to_string());
            for index in &indexes {
                out.push(backend.build(index).to_string());
            }
        }
        out
    }

    #[test]
    fn mysql_ddl_is_inline_utf8mb4_and_portable() {
        let stmts = sql(DbBackend::MySql);
        assert_eq!(stmts.len(), 11, "indexes must be inline on MySQL");
        for stmt in &stmts {
            assert!(stmt.starts_with("CREATE TABLE IF NOT EXISTS"), "{stmt}");
            assert!(stmt.contains("DEFAULT CHARSET=utf8mb4"), "{stmt}");
            assert!(stmt.contains("COLLATE=utf8mb4_bin"), "{stmt}");
            let upper = stmt.to_uppercase();
            for banned in ["AUTO_INCREMENT", "FOREIGN KEY", "DECIMAL", "TIMESTAMP"] {
                assert!(!upper.contains(banned), "{banned} in {stmt}");
            }
        }
        let transactions = stmts
            .iter()
            .find(|s| s.contains("TABLE IF NOT EXISTS `transactions`"))
            .map(String::as_str)
            .unwrap_or_default();
        assert!(transactions.contains("`posted_at` DATETIME(6) NOT NULL"));
        assert!(transactions.contains("PRIMARY KEY (`user_id`, `id`)"));
        assert!(transactions.contains(
            "UNIQUE KEY `ux_transactions_user_account_provider_id` \
             (`user_id`, `account_id`, `provider_transaction_id`)"
        ));
    }

    #[test]
    fn sqlite_indexes_are_separate_and_idempotent() {
        let stmts = sql(DbBackend::Sqlite);
        let indexes: Vec<_> = stmts.iter().filter(|s| s.contains(" INDEX ")).collect();
        assert_eq!(indexes.len(), 10);
        for stmt in indexes {
            assert!(
                stmt.starts_with("CREATE INDEX IF NOT EXISTS")
                    || stmt.starts_with("CREATE UNIQUE INDEX IF NOT EXISTS"),
                "{stmt}"
            );
        }
    }

    /// Runs this migration's `up` twice without the migrator's bookkeeping:
    /// every statement itself must be idempotent.
    #[tokio::test]
    async fn up_is_idempotent_on_its_own() -> Result<(), DbErr> {
        let db = sea_orm_migration::sea_orm::Database::connect("sqlite::memory:").await?;
        let manager = SchemaManager::new(&db);
        Migration.up(&manager).await?;
        Migration.up(&manager).await?;
        for ddl in tables() {
            assert!(manager.has_table(ddl.name.to_string()).await?);
            for index in &ddl.indexes {
                let name = index.get_index_spec().get_name().unwrap_or_default();
                assert!(
                    manager.has_index(ddl.name.to_string(), name).await?,
                    "{name}"
                );
            }
        }
        Migration.down(&manager).await?;
        Migration.down(&manager).await?;
        assert!(!manager.has_table("users").await?);
        Ok(())
    }

    #[test]
    fn every_user_owned_index_leads_with_user_id() {
        for ddl in tables() {
            for index in &ddl.indexes {
                let first = index
                    .get_index_spec()
                    .get_column_names()
                    .into_iter()
                    .next()
                    .unwrap_or_default();
                let name = index.get_index_spec().get_name().unwrap_or_default();
                assert!(
                    first == "user_id" || name == "ux_users_email_normalized",
                    "{name} leads with {first}"
                );
            }
        }
    }
}
