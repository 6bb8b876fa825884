//! The database connection.

use std::time::Duration;

use sea_orm::sqlx::mysql::{MySqlConnectOptions, MySqlSslMode};
use sea_orm::{ConnectOptions, Database, DbErr};
use secrecy::ExposeSecret as _;

use crate::config::{DatabaseKind, DatabaseTlsMode, Settings, TlsSettings};

/// The connection pool [`connect`] opens: the composition root holds it
/// and hands it to `core`'s services (it names no query of its own, so it
/// needs no dependency on SeaORM).
pub use sea_orm::DatabaseConnection;

/// Connects to the configured database.
///
/// MySQL sessions run in UTC with `PIPES_AS_CONCAT` off (sqlx turns it on
/// by default; Vitess and MySQL 8 treat `||` as OR). SQLite runs in WAL
/// mode with a busy timeout, and its directory is created if missing.
/// MySQL's TLS follows [`TlsSettings`] (see [`mysql_tls`]).
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
    let tls = settings.tls.clone();
    let mut options = ConnectOptions::new(url.expose_secret().to_owned());
    options
        .max_connections(max_connections)
        .min_connections(0)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        .idle_timeout(Duration::from_secs(300))
        .sqlx_logging(false)
        .map_sqlx_mysql_opts(move |o| {
            let o = o
                .pipes_as_concat(false)
                .timezone(Some("+00:00".to_owned()))
                .charset("utf8mb4");
            mysql_tls(o, &tls)
        })
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(10))
                .create_if_missing(true)
        });
    crate::tls::install_default_provider();
    let db = Database::connect(options).await?;
    tracing::info!(backend = kind.as_str(), "database connected");
    Ok(db)
}

/// Applies the TLS settings to options parsed from the URL. An unset mode
/// leaves the URL's `ssl-mode` (else sqlx's `preferred`) alone; a set one
/// agrees with the URL's (validation refuses a contradiction), so setting
/// it again changes nothing.
pub fn mysql_tls(options: MySqlConnectOptions, tls: &TlsSettings) -> MySqlConnectOptions {
    let options = match tls.database_tls_mode {
        Some(mode) => options.ssl_mode(match mode {
            DatabaseTlsMode::Disabled => MySqlSslMode::Disabled,
            DatabaseTlsMode::Preferred => MySqlSslMode::Preferred,
            DatabaseTlsMode::Required => MySqlSslMode::Required,
            DatabaseTlsMode::VerifyCa => MySqlSslMode::VerifyCa,
            DatabaseTlsMode::VerifyIdentity => MySqlSslMode::VerifyIdentity,
        }),
        None => options,
    };
    match &tls.database_tls_ca_file {
        Some(path) => options.ssl_ca(path),
        None => options,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applied(url: &str, mode: Option<DatabaseTlsMode>, ca: Option<&str>) -> MySqlConnectOptions {
        let tls = TlsSettings {
            redis_tls_ca_file: None,
            database_tls_mode: mode,
            database_tls_ca_file: ca.map(Into::into),
        };
        mysql_tls(url.parse().unwrap(), &tls)
    }

    /// `MySqlSslMode` has no `PartialEq`; its `Debug` name is the variant.
    fn mode(options: &MySqlConnectOptions) -> String {
        format!("{:?}", options.get_ssl_mode())
    }

    #[test]
    fn each_mode_maps_to_sqlx() {
        let url = "mysql://root@db/moneta";
        assert_eq!(
            mode(&applied(url, None, None)),
            "Preferred",
            "sqlx's default"
        );
        for (setting, sqlx) in [
            (DatabaseTlsMode::Disabled, "Disabled"),
            (DatabaseTlsMode::Preferred, "Preferred"),
            (DatabaseTlsMode::Required, "Required"),
            (DatabaseTlsMode::VerifyCa, "VerifyCa"),
            (DatabaseTlsMode::VerifyIdentity, "VerifyIdentity"),
        ] {
            assert_eq!(mode(&applied(url, Some(setting), None)), sqlx);
            let in_url = format!("{url}?ssl-mode={}", setting.as_url_value());
            assert_eq!(mode(&applied(&in_url, None, None)), sqlx, "the URL's own");
        }
    }

    #[test]
    fn an_unset_mode_keeps_the_urls() {
        let options = applied("mysql://root@db/moneta?ssl-mode=required", None, None);
        assert_eq!(mode(&options), "Required");
    }

    #[test]
    fn the_ca_file_is_handed_to_sqlx() {
        let options = applied(
            "mysql://root@db/moneta",
            Some(DatabaseTlsMode::VerifyIdentity),
            Some("/etc/moneta/db-ca.pem"),
        );
        let url = sea_orm::sqlx::ConnectOptions::to_url_lossy(&options);
        let get = |key: &str| {
            url.query_pairs()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        assert_eq!(get("ssl-mode"), "VERIFY_IDENTITY");
        assert!(get("ssl-ca").ends_with("/etc/moneta/db-ca.pem"), "{url}");
    }
}
