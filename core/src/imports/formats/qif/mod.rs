//! QIF (Quicken Interchange Format): one [`Statement`] per account block,
//! the date order decided once from every date in the file (one
//! `22/12/2017` makes all of them day-first). QIF never names a currency.
//!
//! [`Statement`]: crate::imports::model::Statement

mod entry;
mod records;

#[cfg(test)]
mod tests;

use crate::imports::formats::ParseError;
use crate::imports::formats::values::infer_date_order;
use crate::imports::model::{Format, ParsedFile, Statement};

/// Reads decoded QIF text. A file with no transaction section
/// (`!Type:Bank`, `CCard`, `Cash`, `Oth A`, `Oth L`) holds no statement.
pub(super) fn parse(text: &str) -> Result<ParsedFile, ParseError> {
    let records::Reading {
        blocks,
        mut rejected,
    } = records::read(text);
    if blocks.is_empty() {
        return Err(ParseError::NoStatement {
            message: "no transactions: the QIF file has no !Type:Bank, CCard, Cash, Oth A or Oth L section"
                .to_owned(),
        });
    }
    let dates: Vec<String> = blocks
        .iter()
        .flat_map(|b| b.records.iter())
        .filter_map(|r| r.get('D'))
        .map(entry::unpadded)
        .collect();
    let order = infer_date_order(dates.iter().map(String::as_str));
    let mut statements = Vec::new();
    for block in blocks {
        let mut entries = Vec::new();
        for record in &block.records {
            match entry::read(record, order) {
                Ok(entry) => entries.push(entry),
                Err(row) => rejected.push(row),
            }
        }
        statements.push(Statement {
            account: block.account,
            currency: None,
            entries,
        });
    }
    rejected.sort_by_key(|r| r.line);
    Ok(ParsedFile {
        format: Format::Qif,
        statements,
        rejected,
    })
}
