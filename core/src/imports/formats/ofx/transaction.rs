//! One `STMTTRN` as an [`Entry`], or as a [`RejectedRow`] saying which of
//! its values cannot be read. Elements are looked up by name, so their
//! order in the file does not matter.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::date;
use super::tree::Element;
use crate::imports::formats::values::parse_amount;
use crate::imports::model::{Entry, RejectedRow};

/// Reads a `STMTTRN`: `TRNAMT` and `DTPOSTED` are required, `FITID`,
/// `NAME` (or `PAYEE`/`NAME`, else `MEMO`) and `MEMO` optional.
pub(super) fn read(trn: &Element) -> Result<Entry, RejectedRow> {
    let reject = |reason: String| RejectedRow {
        line: trn.line,
        reason,
    };
    if trn.children.is_empty() {
        let text = trn.text.as_deref().unwrap_or_default();
        return Err(reject(format!(
            "the transaction holds no fields, only the text '{text}'"
        )));
    }
    let amount = trn
        .value("TRNAMT")
        .ok_or_else(|| "no amount (TRNAMT)".to_owned())
        .and_then(amount);
    let date = trn
        .value("DTPOSTED")
        .ok_or_else(|| "no date (DTPOSTED)".to_owned())
        .and_then(|raw| date::parse(raw).ok_or_else(|| format!("date '{raw}' is not a date")));
    let (amount, date): (Decimal, NaiveDate) = match (amount, date) {
        (Ok(amount), Ok(date)) => (amount, date),
        (amount, date) => {
            let problems: Vec<String> = [amount.err(), date.err()].into_iter().flatten().collect();
            return Err(reject(problems.join("; ")));
        }
    };
    let memo = trn.value("MEMO").map(str::to_owned);
    let payee = trn
        .value("NAME")
        .or_else(|| trn.child("PAYEE").and_then(|p| p.value("NAME")))
        .map(str::to_owned)
        .or_else(|| memo.clone())
        .unwrap_or_default();
    Ok(Entry {
        line: trn.line,
        bank_id: trn.value("FITID").map(str::to_owned),
        date,
        amount,
        payee,
        memo,
    })
}

/// `TRNAMT`: a plain signed number, never a currency symbol. OFX writes
/// no thousands separator, so a lone comma is the decimal point.
fn amount(raw: &str) -> Result<Decimal, String> {
    let decimal_comma = raw.contains(',') && !raw.contains('.');
    parse_amount(raw, Some(decimal_comma), false)
}
