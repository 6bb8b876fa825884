//! The database connection.

use std::time::Duration;

use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use secrecy::ExposeSecret as _;

use crate::config::{DatabaseKind, Settings};

/// Connects to the configured database.
///
/// MySQL sessions run in UTC with `PIPES_AS_CONCAT` off (sqlx turns it on
/// by default; Vitess and MySQL 8 treat `||` as OR). SQLite runs in WAL
/// mode with a busy timeout, and its directory is created if missing.
pub async fn connect(settings: &Settings) -> Result<DatabaseConnection, DbErr> {
    connect_with(settings, settings.database_max_connections).await
}

/// One connection, for migrations. On SQLite this is what makes them safe:
/// sea-orm-migration runs SQLite migrations outside a transaction, so over
/// a pool each statement may take another connection, and a connection
/// that loaded the schema before another one changed it prepares DDL
/// against its stale copy. SQLite re-reads a changed schema when a
/// statement names a table it cannot find, but not when a rename's target
/// name seems taken: `ALTER TABLE user_emails_next RENAME TO user_emails`,
/// prepared on a connection that still sees the dropped `user_emails`,
/// failed with "there is already another table or index with this name"
/// on some fresh starts, depending on which pooled connection it drew.
pub async fn connect_for_migrations(settings: &Settings) -> Result<DatabaseConnection, DbErr> {
    connect_with(settings, 1).await
}

async fn connect_with(
    settings: &Settings,
    max_connections: u32,
) -> Result<DatabaseConnection, DbErr> {
    let kind = settings
        .database_kind()
        .map_err(|e| DbErr::Custom(e.to_string()))?;
    if kind == DatabaseKind::Sqlite && settings.database_url.is_none() {
        std::fs::create_dir_all(&settings.data_dir)
            .map_err(|e| DbErr::Custom(format!("cannot create the data dir: {e}")))?;
    }
    let url = settings.effective_database_url();
    let mut options = ConnectOptions::new(url.expose_secret().to_owned());
    options
        .max_connections(max_connections)
        .min_connections(0)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        .idle_timeout(Duration::from_secs(300))
        .sqlx_logging(false)
        .map_sqlx_mysql_opts(|o| {
            o.pipes_as_concat(false)
                .timezone(Some("+00:00".to_owned()))
                .charset("utf8mb4")
        })
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(10))
                .create_if_missing(true)
        });
    let db = Database::connect(options).await?;
    tracing::info!(backend = kind.as_str(), "database connected");
    Ok(db)
}
