use async_graphql::{Enum, SimpleObject};
use moneta_core::error as core;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "core::UserErrorCode")]
pub enum UserErrorCode {
    Invalid,
    Taken,
    InvalidCredentials,
    InstitutionLoginFailed,
    UnknownInstitution,
    /// The user has as many linked accounts as a user may.
    TooManyAccounts,
    /// Not a bank file Moneta reads (OFX, QFX, QIF, CSV, CAMT.053).
    UnknownFileFormat,
    /// The file is damaged or cut off.
    MalformedFile,
    /// Rows whose date or amount does not read; the message lists their
    /// lines. Nothing was imported (ask to skip them to import the rest).
    InvalidRows,
    /// The file holds no transactions.
    EmptyFile,
    /// The file is over the import size limit.
    FileTooLarge,
    /// The file's currency is not the account's.
    CurrencyMismatch,
}

/// An expected business failure of a mutation.
#[derive(Debug, Clone, SimpleObject)]
pub struct UserError {
    /// Path to the input field at fault, e.g. `["input", "email"]`.
    pub field: Option<Vec<String>>,
    pub message: String,
    pub code: UserErrorCode,
}

impl From<core::UserError> for UserError {
    fn from(e: core::UserError) -> Self {
        Self {
            field: e.field,
            message: e.message,
            code: e.code.into(),
        }
    }
}
