//! How core opens its database transactions.

use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, IsolationLevel,
    TransactionTrait as _,
};

/// A transaction over one user's rows that reads nothing it must see
/// unchanged twice (the sync's page, the spending recompute): READ
/// COMMITTED on MySQL. Under the default REPEATABLE READ its range
/// deletes and upserts also lock the index gaps beside the user's rows,
/// which neighbouring users' syncs insert into, and concurrent syncs
/// deadlock on each other; without gap locks they do not. (SQLite has
/// one writer and no such levels.)
pub async fn begin_without_gap_locks(
    db: &DatabaseConnection,
) -> Result<DatabaseTransaction, DbErr> {
    let level =
        (db.get_database_backend() == DbBackend::MySql).then_some(IsolationLevel::ReadCommitted);
    db.begin_with_config(level, None).await
}
