//! What an import asked for and what it did.

use super::identity::RepeatedId;
use super::model::{Format, ParseOptions, RejectedRow};
use crate::currency::Currency;

/// One file to import.
#[derive(Debug, Clone, Default)]
pub struct ImportRequest {
    /// As the user named it (kept with the file, shown in the account's
    /// name when the file names no account).
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// Into this file account; `None`: one file account per account the
    /// file names, created on first import.
    pub account_id: Option<i64>,
    pub options: ParseOptions,
    /// For a file that does not say (QIF, most CSV): `None` is the user's
    /// home currency.
    pub currency: Option<Currency>,
    /// Import the readable rows of a file that has unreadable ones (they
    /// are reported); otherwise such a file imports nothing.
    pub skip_invalid_rows: bool,
}

/// What one import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub import_id: i64,
    pub format: Format,
    pub accounts: Vec<AccountImport>,
    /// Rows that could not be read (only when asked to skip them).
    pub rejected: Vec<RejectedRow>,
    /// Bank ids the file gives to more than one transaction: kept apart
    /// by content instead of trusted.
    pub repeated_ids: Vec<RepeatedId>,
}

impl ImportReport {
    pub fn added(&self) -> u32 {
        self.accounts.iter().map(|a| a.added).sum()
    }

    pub fn duplicates(&self) -> u32 {
        self.accounts.iter().map(|a| a.duplicates).sum()
    }
}

/// What one import did to one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountImport {
    pub account_id: i64,
    pub display_name: String,
    pub currency: Currency,
    /// The import created the account.
    pub created: bool,
    pub added: u32,
    /// Already there (an earlier import of the same transactions).
    pub duplicates: u32,
}
