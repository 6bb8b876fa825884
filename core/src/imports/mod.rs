//! Bank files in: OFX 1.x/2.x and QFX, QIF, CSV (presets, detection or
//! an explicit mapping) and CAMT.053, in UTF-8, UTF-16 or windows-1252 /
//! ISO-8859-1, read by [`formats`] into a [`ParsedFile`], planned
//! ([`plan`]: Moneta's sign, cents, one id per entry by [`identity`]) and
//! imported by [`ImportService`] through the sync pipeline's page apply
//! into file accounts ([`FILE_INSTITUTION`]).
//!
//! # Layout
//! - [`model`]: what a file says (statements, entries, rejected rows).
//! - [`formats`]: decoding, detection and one parser per format (pure).
//! - [`identity`]: the provider id of each entry (bank id or fingerprint).
//! - [`plan`]: a parsed file as pages the pipeline applies.
//! - `file_accounts`: the accounts a file's statements go into.
//! - `report`: the request and what an import did.
//! - `service`: [`ImportService`].
//! - `error`: [`ImportError`], with its stable codes.

mod error;
mod file_accounts;
pub mod formats;
pub mod identity;
pub mod model;
pub mod plan;
mod report;
mod service;

pub use error::ImportError;
pub use file_accounts::FILE_INSTITUTION;
pub use model::{
    CsvMapping, DateOrder, Entry, Format, ParseOptions, ParsedFile, RejectedRow, Statement,
};
pub use report::{AccountImport, ImportReport, ImportRequest};
pub use service::{DEFAULT_MAX_BYTES, ImportService};
