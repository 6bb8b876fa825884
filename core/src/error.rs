//! Error codes shared by every area.
//!
//! Each area of `core` has its own `thiserror` enum; each implements
//! [`DomainError`] to give its stable [`ErrorCode`] and, for expected
//! business failures, the [`UserError`] a mutation payload carries. The API
//! maps these to GraphQL in exactly one place.

use std::fmt;

/// The stable code a client sees in `errors[].extensions.code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    Unauthenticated,
    Forbidden,
    NotFound,
    BadUserInput,
    RateLimited,
    QueryTooComplex,
    /// A dependency the operation needs is away for now (Redis, for
    /// queueing a sync): nothing was changed; the same request can be
    /// retried shortly.
    Unavailable,
    /// A document id the server does not know (APQ): send the text with
    /// its hash to register it.
    PersistedQueryNotFound,
    /// Document ids are turned off (`MONETA_TRUSTED_DOCUMENTS=off`).
    PersistedQueryNotSupported,
    /// The server runs only registered documents (`enforce`).
    UntrustedDocument,
    /// The caller's cost budget is spent (`extensions.cost`): retry after
    /// `retryAfter` seconds, when the bucket has drained enough.
    Throttled,
    /// A file upload over the import size limit (`MONETA_IMPORT_MAX_MB`),
    /// refused before it is read.
    FileTooLarge,
    Internal,
}

impl ErrorCode {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::RateLimited => "RATE_LIMITED",
            Self::QueryTooComplex => "QUERY_TOO_COMPLEX",
            Self::Unavailable => "UNAVAILABLE",
            Self::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            Self::PersistedQueryNotSupported => "PERSISTED_QUERY_NOT_SUPPORTED",
            Self::UntrustedDocument => "UNTRUSTED_DOCUMENT",
            Self::Throttled => "THROTTLED",
            Self::FileTooLarge => "FILE_TOO_LARGE",
            Self::Internal => "INTERNAL",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The code of an expected business failure (`userErrors[].code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UserErrorCode {
    Invalid,
    Taken,
    InvalidCredentials,
    InstitutionLoginFailed,
    UnknownInstitution,
    TooManyAccounts,
    /// Not a bank file Moneta reads (OFX, QFX, QIF, CSV, CAMT.053).
    UnknownFileFormat,
    /// Damaged or cut off.
    MalformedFile,
    /// Rows whose date or amount does not read (their lines are listed).
    InvalidRows,
    /// No transaction in the file.
    EmptyFile,
    /// Over the import size limit.
    FileTooLarge,
    /// The file's currency is not the account's.
    CurrencyMismatch,
}

impl UserErrorCode {
    /// The name clients see (`userErrors[].code`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Invalid => "INVALID",
            Self::Taken => "TAKEN",
            Self::InvalidCredentials => "INVALID_CREDENTIALS",
            Self::InstitutionLoginFailed => "INSTITUTION_LOGIN_FAILED",
            Self::UnknownInstitution => "UNKNOWN_INSTITUTION",
            Self::TooManyAccounts => "TOO_MANY_ACCOUNTS",
            Self::UnknownFileFormat => "UNKNOWN_FILE_FORMAT",
            Self::MalformedFile => "MALFORMED_FILE",
            Self::InvalidRows => "INVALID_ROWS",
            Self::EmptyFile => "EMPTY_FILE",
            Self::FileTooLarge => "FILE_TOO_LARGE",
            Self::CurrencyMismatch => "CURRENCY_MISMATCH",
        }
    }
}

/// An expected business failure, reported in a mutation payload rather than
/// as a top-level error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserError {
    /// Path to the offending input field, e.g. `["input", "email"]`.
    pub field: Option<Vec<String>>,
    pub message: String,
    pub code: UserErrorCode,
}

impl UserError {
    pub fn new(code: UserErrorCode, message: impl Into<String>) -> Self {
        Self {
            field: None,
            message: message.into(),
            code,
        }
    }

    pub fn at(mut self, field: &[&str]) -> Self {
        self.field = Some(field.iter().map(|s| (*s).to_owned()).collect());
        self
    }
}

/// Implemented by every area's error enum.
pub trait DomainError: std::error::Error + Send + Sync + 'static {
    fn code(&self) -> ErrorCode;

    /// `Some` when this failure belongs in the payload's `userErrors`.
    fn user_error(&self) -> Option<UserError> {
        None
    }
}

/// A failure the caller cannot act on: logged with its cause chain where it
/// is converted, answered as `INTERNAL` with no detail.
#[derive(Debug, thiserror::Error)]
pub enum InternalError {
    #[error("database error")]
    Database(#[from] sea_orm::DbErr),
    #[error("background task failed")]
    Join(#[from] tokio::task::JoinError),
    #[error("event bus error: {0}")]
    EventBus(String),
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error("token signing failed")]
    TokenSigning(#[source] jsonwebtoken::errors::Error),
    #[error("object storage error: {0}")]
    Storage(String),
    #[error("institution error: {0}")]
    Institution(String),
    #[error("queue error: {0}")]
    Queue(String),
    #[error("cache error: {0}")]
    Cache(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

/// A stored category that is not one: the row is corrupt.
impl From<crate::categories::UnknownCategory> for InternalError {
    fn from(error: crate::categories::UnknownCategory) -> Self {
        Self::Corrupt(error.to_string())
    }
}

/// A stored month that is not one: the row is corrupt.
impl From<crate::month::InvalidMonth> for InternalError {
    fn from(error: crate::month::InvalidMonth) -> Self {
        Self::Corrupt(error.to_string())
    }
}

impl InternalError {
    /// A failure that the same work, retried, can get past: a deadlock or
    /// lock-wait timeout (InnoDB under concurrent writes), or a busy or
    /// locked SQLite — told by the database's own error number, never by
    /// the message.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Database(e) => database_error(e).is_some_and(|db| {
                match db.try_downcast_ref::<sea_orm::sqlx::mysql::MySqlDatabaseError>() {
                    // ER_LOCK_DEADLOCK, ER_LOCK_WAIT_TIMEOUT.
                    Some(mysql) => matches!(mysql.number(), 1213 | 1205),
                    // SQLITE_BUSY, SQLITE_LOCKED (an extended code keeps
                    // the primary one in its low byte).
                    None => db
                        .code()
                        .and_then(|code| code.parse::<i32>().ok())
                        .is_some_and(|code| matches!(code & 0xff, 5 | 6)),
                }
            }),
            _ => false,
        }
    }
}

/// The database's own error inside a SeaORM one, if the database refused.
fn database_error(
    e: &sea_orm::DbErr,
) -> Option<&(dyn sea_orm::sqlx::error::DatabaseError + 'static)> {
    use sea_orm::{DbErr, RuntimeErr};
    let (DbErr::Exec(RuntimeErr::SqlxError(e))
    | DbErr::Query(RuntimeErr::SqlxError(e))
    | DbErr::Conn(RuntimeErr::SqlxError(e))) = e
    else {
        return None;
    };
    match e.as_ref() {
        sea_orm::sqlx::Error::Database(db) => Some(db.as_ref()),
        _ => None,
    }
}

/// Attempts at a transaction that keeps hitting transient failures.
pub const TRANSIENT_ATTEMPTS: u32 = 5;

/// Waits before retry `attempt` (1-based): 20, 40, 80 … ms, plus jitter.
pub async fn backoff(attempt: u32) {
    let base = 10u64 << attempt.min(6);
    let jitter = rand::random::<u64>() % base.max(1);
    tokio::time::sleep(std::time::Duration::from_millis(base + jitter)).await;
}

/// The one retry of work that meets transient failures (a deadlock, a
/// busy SQLite): up to [`TRANSIENT_ATTEMPTS`] attempts, backing off
/// between them.
///
/// ```text
/// let mut retry = TransientRetry::default();
/// loop {
///     match attempt().await {
///         Err(e) if retry.again(&e).await => {}
///         other => return other,
///     }
/// }
/// ```
#[derive(Debug, Default)]
pub struct TransientRetry {
    failed: u32,
}

impl TransientRetry {
    /// After a failed attempt: `true`, once the backoff is waited, when
    /// `error` is transient and attempts remain; `false` to give up.
    pub async fn again(&mut self, error: &InternalError) -> bool {
        self.failed += 1;
        if !error.is_transient() || self.failed >= TRANSIENT_ATTEMPTS {
            return false;
        }
        tracing::debug!(attempt = self.failed, %error, "retried after a transient failure");
        backoff(self.failed).await;
        true
    }
}

impl DomainError for InternalError {
    fn code(&self) -> ErrorCode {
        ErrorCode::Internal
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
    use sea_orm::{ConnectionTrait as _, SqlxSqliteConnector, TransactionTrait as _};

    use super::*;

    async fn connect(path: &std::path::Path) -> sea_orm::DatabaseConnection {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .busy_timeout(Duration::ZERO);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .unwrap();
        SqlxSqliteConnector::from_sqlx_sqlite_pool(pool)
    }

    /// A busy database is transient by its error code; a statement that
    /// cannot work is not.
    #[tokio::test]
    async fn a_busy_database_is_transient_and_a_bad_statement_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("busy.db");
        let (holder, other) = (connect(&path).await, connect(&path).await);
        holder
            .execute_unprepared("CREATE TABLE t (x INTEGER)")
            .await
            .unwrap();
        let tx = holder.begin().await.unwrap();
        tx.execute_unprepared("INSERT INTO t VALUES (1)")
            .await
            .unwrap();
        let busy = other
            .execute_unprepared("INSERT INTO t VALUES (2)")
            .await
            .unwrap_err();
        assert!(InternalError::from(busy).is_transient());
        tx.rollback().await.unwrap();
        let bad = other
            .execute_unprepared("INSERT INTO no_such_table VALUES (1)")
            .await
            .unwrap_err();
        assert!(!InternalError::from(bad).is_transient());
    }
}
