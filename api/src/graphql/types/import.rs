use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use moneta_core::imports;

use super::Account;
use crate::error::OrGql as _;
use crate::graphql::ids::{self, Kind};
use crate::graphql::services;

/// A bank file format Moneta reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "imports::Format")]
pub enum ImportFormat {
    /// OFX 1.x (SGML) or 2.x (XML), and Quicken's QFX.
    Ofx,
    Qif,
    Csv,
    /// ISO 20022 camt.053 bank-to-customer statement.
    Camt053,
}

/// Which part of a numeric date comes first in a CSV column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "imports::DateOrder")]
pub enum DateOrder {
    /// 2024-03-31
    YearMonthDay,
    /// 31/03/2024
    DayMonthYear,
    /// 03/31/2024
    MonthDayYear,
}

/// How to read a CSV no preset knows: columns by header name, or by
/// 1-based position ("3") when the file has no header row. Give either
/// `amount` or `debit` and `credit`.
#[derive(Debug, Clone, InputObject)]
pub struct CsvMappingInput {
    pub date: String,
    /// Unset: inferred from the column (day first when a day is above 12).
    pub date_order: Option<DateOrder>,
    pub description: String,
    /// One signed column (money in positive, unless `negate`).
    pub amount: Option<String>,
    /// Money out, unsigned.
    pub debit: Option<String>,
    /// Money in, unsigned.
    pub credit: Option<String>,
    /// The bank's transaction id, if the file has one.
    pub id: Option<String>,
    pub currency: Option<String>,
    pub account: Option<String>,
    /// The signed column writes money out as positive (many card exports).
    #[graphql(default = false)]
    pub negate: bool,
    /// Unset: inferred (`1.234,56` is decimal comma).
    pub decimal_comma: Option<bool>,
}

impl From<CsvMappingInput> for imports::CsvMapping {
    fn from(m: CsvMappingInput) -> Self {
        Self {
            date: m.date,
            date_order: m.date_order.map(Into::into),
            description: m.description,
            amount: m.amount,
            debit: m.debit,
            credit: m.credit,
            id: m.id,
            currency: m.currency,
            account: m.account,
            negate: m.negate,
            decimal_comma: m.decimal_comma,
        }
    }
}

/// A row of the file that could not be read.
#[derive(Debug, Clone, SimpleObject)]
pub struct RejectedRow {
    /// 1-based line in the file.
    pub line: i32,
    pub reason: String,
}

impl From<imports::RejectedRow> for RejectedRow {
    fn from(r: imports::RejectedRow) -> Self {
        Self {
            line: i32::try_from(r.line).unwrap_or(i32::MAX),
            reason: r.reason,
        }
    }
}

/// A bank id the file gives to more than one transaction: Moneta keeps
/// them apart by their content instead of trusting the id.
#[derive(Debug, Clone, SimpleObject)]
pub struct RepeatedBankId {
    pub bank_id: String,
    pub lines: Vec<i32>,
}

/// What an import did to one account.
pub struct ImportedAccount(pub imports::AccountImport);

/// What an import did to one account.
#[Object]
impl ImportedAccount {
    /// The account (null only if it was removed since).
    async fn account(&self, ctx: &Context<'_>) -> Result<Option<Account>> {
        let me = crate::graphql::identity(ctx)?.user_id;
        let found = services(ctx)?.accounts.find(me, self.0.account_id).await;
        Ok(found.or_gql()?.map(Account))
    }

    async fn account_id(&self) -> ID {
        ids::encode(Kind::Account, self.0.account_id)
    }

    /// The import created the account.
    async fn created(&self) -> bool {
        self.0.created
    }

    /// The ISO 4217 code of the account's amounts.
    async fn currency(&self) -> String {
        self.0.currency.to_string()
    }

    /// New transactions.
    async fn added(&self) -> u32 {
        self.0.added
    }

    /// Transactions the account already held (imported before).
    async fn duplicates(&self) -> u32 {
        self.0.duplicates
    }
}

/// What one import did.
pub struct ImportResult(pub imports::ImportReport);

/// What one import did: per account, the transactions added and those
/// skipped as already there, and the rows that could not be read.
#[Object]
impl ImportResult {
    async fn id(&self) -> ID {
        ID(self.0.import_id.to_string())
    }

    async fn format(&self) -> ImportFormat {
        self.0.format.into()
    }

    async fn added(&self) -> u32 {
        self.0.added()
    }

    async fn duplicates(&self) -> u32 {
        self.0.duplicates()
    }

    async fn accounts(&self) -> Vec<ImportedAccount> {
        self.0
            .accounts
            .iter()
            .cloned()
            .map(ImportedAccount)
            .collect()
    }

    /// Rows skipped because they could not be read (only when the import
    /// was asked to skip them).
    async fn rejected_rows(&self) -> Vec<RejectedRow> {
        self.0.rejected.iter().cloned().map(Into::into).collect()
    }

    async fn repeated_bank_ids(&self) -> Vec<RepeatedBankId> {
        self.0
            .repeated_ids
            .iter()
            .map(|r| RepeatedBankId {
                bank_id: r.bank_id.clone(),
                lines: r
                    .lines
                    .iter()
                    .map(|l| i32::try_from(*l).unwrap_or(i32::MAX))
                    .collect(),
            })
            .collect()
    }
}
