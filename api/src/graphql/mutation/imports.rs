use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject, Upload};
use moneta_core::ErrorCode;
use moneta_core::imports::{ImportError, ImportRequest, ParseOptions};

use crate::error::{coded, user_errors};
use crate::graphql::ids::{self, Kind};
use crate::graphql::limits::IMPORT_PER_USER;
use crate::graphql::rate_limit::rate_limit;
use crate::graphql::types::{CsvMappingInput, ImportFormat, ImportResult, UserError};
use crate::graphql::{identity, services};

/// A bank file to import (a GraphQL multipart request's file).
#[derive(InputObject)]
pub struct ImportTransactionsInput {
    /// The statement file: OFX, QFX, QIF, CSV or CAMT.053, in UTF-8,
    /// UTF-16 or windows-1252 / ISO-8859-1.
    pub file: Upload,
    /// A file account to import into; unset: one file account per
    /// account the file names (found again on the next import of that
    /// account), created on first import.
    pub account_id: Option<ID>,
    /// Unset: detected from the content.
    pub format: Option<ImportFormat>,
    /// For a CSV no preset knows, or to override one.
    pub csv_mapping: Option<CsvMappingInput>,
    /// ISO 4217 code for a file that does not say (QIF, most CSV); unset:
    /// your home currency.
    pub currency: Option<String>,
    /// Import the readable rows of a file that has unreadable ones (they
    /// are listed in `rejectedRows`); otherwise such a file imports
    /// nothing (INVALID_ROWS).
    #[graphql(default = false)]
    pub skip_invalid_rows: bool,
}

#[derive(SimpleObject)]
pub struct ImportTransactionsPayload {
    pub import: Option<ImportResult>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct ImportMutation;

#[Object]
impl ImportMutation {
    /// Imports a bank statement file through the same pipeline as a sync:
    /// categorized, counted in spending and budgets (in your home
    /// currency), alerts raised. Re-importing a file, or an overlapping
    /// one, adds nothing twice. A file that cannot be read imports nothing
    /// and says why (UNKNOWN_FILE_FORMAT, MALFORMED_FILE, INVALID_ROWS
    /// with line numbers, EMPTY_FILE, FILE_TOO_LARGE, CURRENCY_MISMATCH).
    /// At most [`IMPORT_PER_USER`] imports per user and hour.
    async fn import_transactions(
        &self,
        ctx: &Context<'_>,
        input: ImportTransactionsInput,
    ) -> Result<ImportTransactionsPayload> {
        let me = identity(ctx)?.user_id;
        rate_limit(ctx, &[(format!("import:user:{me}"), IMPORT_PER_USER)]).await?;
        let upload = input.file.value(ctx).map_err(|_| {
            coded(
                ErrorCode::BadUserInput,
                "the file part of the request is missing",
            )
        })?;
        let account_id = match &input.account_id {
            Some(id) => Some(
                ids::decode_as(Kind::Account, id)
                    .ok_or_else(|| coded(ErrorCode::NotFound, "account not found"))?,
            ),
            None => None,
        };
        let currency = match input.currency.as_deref() {
            Some(code) => Some(code.parse().map_err(
                |e: moneta_core::currency::CurrencyError| {
                    coded(ErrorCode::BadUserInput, &e.to_string())
                },
            )?),
            None => None,
        };
        let request = ImportRequest {
            file_name: upload.filename,
            bytes: upload.content.to_vec(),
            account_id,
            options: ParseOptions {
                format: input.format.map(Into::into),
                csv: input.csv_mapping.map(Into::into),
            },
            currency,
            skip_invalid_rows: input.skip_invalid_rows,
        };
        Ok(match services(ctx)?.imports.import(me, request).await {
            Ok(report) => ImportTransactionsPayload {
                import: Some(ImportResult(report)),
                user_errors: Vec::new(),
            },
            Err(ImportError::AccountNotFound) => {
                return Err(coded(ErrorCode::NotFound, "account not found"));
            }
            Err(err) => ImportTransactionsPayload {
                import: None,
                user_errors: user_errors(err)?,
            },
        })
    }
}
