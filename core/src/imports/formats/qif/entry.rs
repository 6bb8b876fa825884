//! One QIF transaction record as an [`Entry`], or as a [`RejectedRow`]
//! quoting the value that cannot be read. Splits (`S`, `E`, `$`),
//! category (`L`) and cleared flag (`C`) are not part of an entry.

use super::records::Record;
use crate::imports::formats::values::{clean_text, parse_amount, parse_date};
use crate::imports::model::{DateOrder, Entry, RejectedRow};

/// A date as the file writes it, ready for [`parse_date`] and
/// `infer_date_order`: Quicken pads with spaces (`1/ 5/19`).
pub(super) fn unpadded(raw: &str) -> String {
    raw.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Reads a record: `D` date (in the file's `order`) and `T` amount (or
/// its duplicate `U`) are required; `P` payee (the memo when there is
/// none, as for OFX), `M` memo and `N` number (the bank id) are optional.
pub(super) fn read(record: &Record, order: DateOrder) -> Result<Entry, RejectedRow> {
    let date = record
        .get('D')
        .ok_or_else(|| "no date (D line)".to_owned())
        .and_then(|raw| {
            parse_date(&unpadded(raw), order).ok_or_else(|| format!("date '{raw}' is not a date"))
        });
    let amount = record
        .get('T')
        .or_else(|| record.get('U'))
        .ok_or_else(|| "no amount (T line)".to_owned())
        .and_then(|raw| parse_amount(raw, None, false));
    match (date, amount) {
        (Ok(date), Ok(amount)) => {
            let memo = record.get('M').map(clean_text);
            Ok(Entry {
                line: record.line,
                bank_id: record.get('N').map(str::to_owned),
                date,
                amount,
                payee: record
                    .get('P')
                    .map(clean_text)
                    .or_else(|| memo.clone())
                    .unwrap_or_default(),
                memo,
            })
        }
        (date, amount) => {
            let problems: Vec<String> = [date.err(), amount.err()].into_iter().flatten().collect();
            Err(RejectedRow {
                line: record.line,
                reason: problems.join("; "),
            })
        }
    }
}
