//! The statements of an OFX tree: every bank `STMTRS` and credit-card
//! `CCSTMTRS`, in file order, even one whose transaction list is empty.
//! Investment statements (`INVSTMTRS`) are not read.

use super::transaction;
use super::tree::Element;
use crate::imports::model::{RejectedRow, Statement};

/// Every statement, and the transactions that could not be read.
pub(super) fn read_all(root: &Element) -> (Vec<Statement>, Vec<RejectedRow>) {
    let mut found = Vec::new();
    root.find_all(&["STMTRS", "CCSTMTRS"], &mut found);
    let mut rejected = Vec::new();
    let statements = found
        .into_iter()
        .map(|rs| read(rs, &mut rejected))
        .collect();
    (statements, rejected)
}

/// One statement: `ACCTID` of its `BANKACCTFROM`/`CCACCTFROM`, `CURDEF`,
/// and the `STMTTRN`s of its `BANKTRANLIST`.
fn read(rs: &Element, rejected: &mut Vec<RejectedRow>) -> Statement {
    let account = rs
        .children
        .iter()
        .find(|c| c.name == "BANKACCTFROM" || c.name == "CCACCTFROM")
        .and_then(|from| from.value("ACCTID"))
        .map(str::to_owned);
    let currency = rs.value("CURDEF").map(str::to_uppercase);
    let mut entries = Vec::new();
    let transactions = rs
        .child("BANKTRANLIST")
        .map(|list| list.children.as_slice())
        .unwrap_or_default();
    for trn in transactions.iter().filter(|t| t.name == "STMTTRN") {
        match transaction::read(trn) {
            Ok(entry) => entries.push(entry),
            Err(row) => rejected.push(row),
        }
    }
    Statement {
        account,
        currency,
        entries,
    }
}
