//! What a bank file says, before anything is stored: statements of
//! entries, each with its line, and the rows that could not be read.

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// The file formats Moneta reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// OFX 1.x (SGML) and 2.x (XML), and Quicken's QFX (OFX with `INTU.BID`).
    Ofx,
    Qif,
    Csv,
    /// ISO 20022 `camt.053` bank-to-customer statements.
    Camt053,
}

impl Format {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ofx => "OFX",
            Self::Qif => "QIF",
            Self::Csv => "CSV",
            Self::Camt053 => "CAMT053",
        }
    }
}

/// A parsed file: one statement per account (or per statement block) it
/// holds, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedFile {
    pub format: Format,
    pub statements: Vec<Statement>,
    /// Records that are there but could not be read (line and why).
    pub rejected: Vec<RejectedRow>,
}

impl ParsedFile {
    /// Every readable entry, statement after statement.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.statements.iter().flat_map(|s| s.entries.iter())
    }

    /// The rejected rows as (line, reason), for tests to compare.
    #[cfg(test)]
    pub(crate) fn rejections(&self) -> Vec<(u32, &str)> {
        self.rejected
            .iter()
            .map(|r| (r.line, r.reason.as_str()))
            .collect()
    }
}

/// One account's entries as the file gives them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Statement {
    /// The account as the file names it (OFX `ACCTID`, a CAMT IBAN, a CSV
    /// account or card column, a QIF `!Account` name); `None` when the
    /// file does not say.
    pub account: Option<String>,
    /// ISO 4217 code, upper case (OFX `CURDEF`, CAMT `Ccy`, a CSV currency
    /// column or preset); `None` when the file does not say.
    pub currency: Option<String>,
    pub entries: Vec<Entry>,
}

/// One transaction as the file gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// 1-based line of the decoded text where the record starts.
    pub line: u32,
    /// The bank's own id (OFX `FITID`, CAMT `AcctSvcrRef` or `NtryRef`, a
    /// CSV id column, QIF `N`), trimmed; `None` when absent or empty.
    pub bank_id: Option<String>,
    /// The date the bank booked it, as written (no time-zone shift).
    pub date: NaiveDate,
    /// As the bank writes it: positive is money in, negative money out.
    pub amount: Decimal,
    /// Payee, name or description: entities decoded, whitespace trimmed
    /// and runs collapsed; may be empty.
    pub payee: String,
    pub memo: Option<String>,
}

/// A record that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    /// 1-based line of the decoded text.
    pub line: u32,
    /// Why, for a person: "amount '$120' is not a number".
    pub reason: String,
}

/// Which component of a numeric date comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    /// 2024-03-31, 2024/03/31, 2024.03.31
    YearMonthDay,
    /// 31/03/2024, 31.03.2024
    DayMonthYear,
    /// 03/31/2024
    MonthDayYear,
}

/// How to read a CSV whose layout no preset knows (or to override the
/// preset): columns by header name, or by 1-based position ("3") when the
/// file has no header row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CsvMapping {
    pub date: String,
    /// `None`: inferred from the column's values (day-first when any day
    /// is above 12, and so on; month-first when nothing tells).
    pub date_order: Option<DateOrder>,
    pub description: String,
    /// One signed column…
    pub amount: Option<String>,
    /// …or two unsigned ones: money out and money in.
    pub debit: Option<String>,
    pub credit: Option<String>,
    pub id: Option<String>,
    pub currency: Option<String>,
    pub account: Option<String>,
    /// The signed column writes money out as positive (many card exports).
    pub negate: bool,
    /// `None`: inferred (`1.234,56` and `-98,76` are decimal comma).
    pub decimal_comma: Option<bool>,
}

/// What the caller knows about the file.
#[derive(Debug, Clone, Default)]
pub struct ParseOptions {
    /// `None`: detected from the content.
    pub format: Option<Format>,
    /// For CSV: `None` uses a preset or detection.
    pub csv: Option<CsvMapping>,
}
