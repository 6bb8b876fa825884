//! Which stored transaction each entry of a file is: the id that makes a
//! re-import (or an overlapping file) add nothing twice, and two genuinely
//! identical purchases in one file stay two.
//!
//! - The bank's id (`FITID`, a CAMT reference, an id column) when it is
//!   unique within the statement: `id:<bank id>`.
//! - Otherwise a fingerprint of what the entry says (date, amount, payee,
//!   memo, the repeated bank id if any) with the entry's occurrence among
//!   the statement's entries that say exactly the same:
//!   `fp:<16 hex>#<n>`. The second identical coffee of the day is `#2`,
//!   in this file and in every later file that holds both.
//!
//! A bank id that repeats within a statement is never trusted to name one
//! transaction (Actual #608: re-used FITIDs overwrote earlier ones): those
//! entries fall back to fingerprints, and the repeat is reported.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use super::model::Entry;

/// A bank id that more than one entry of a statement carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatedId {
    pub bank_id: String,
    /// The lines of the entries that carry it, in file order.
    pub lines: Vec<u32>,
}

/// The provider id of each entry (same order), and the repeated bank ids.
pub fn provider_ids(entries: &[Entry]) -> (Vec<String>, Vec<RepeatedId>) {
    let mut lines_of: HashMap<&str, Vec<u32>> = HashMap::new();
    for entry in entries {
        if let Some(id) = entry.bank_id.as_deref() {
            lines_of.entry(id).or_default().push(entry.line);
        }
    }
    let mut seen: HashMap<String, u32> = HashMap::new();
    let ids = entries
        .iter()
        .map(|entry| match entry.bank_id.as_deref() {
            Some(id) if lines_of.get(id).is_some_and(|l| l.len() == 1) => bank_key(id),
            _ => {
                let print = fingerprint(entry);
                let n = seen.entry(print.clone()).or_insert(0);
                *n += 1;
                format!("fp:{print}#{n}")
            }
        })
        .collect();
    let mut repeated: Vec<RepeatedId> = lines_of
        .into_iter()
        .filter(|(_, lines)| lines.len() > 1)
        .map(|(id, lines)| RepeatedId {
            bank_id: id.to_owned(),
            lines,
        })
        .collect();
    repeated.sort_by_key(|r| r.lines.first().copied());
    (ids, repeated)
}

/// `id:<bank id>`; a bank id too long for the column (FITIDs may have
/// 255 characters) is stored as its hash, `ih:<64 hex>`.
fn bank_key(id: &str) -> String {
    if id.len() <= MAX_BANK_ID {
        format!("id:{id}")
    } else {
        format!("ih:{}", hex(&Sha256::digest(id.as_bytes())))
    }
}

/// Room for `id:` in the 128-character provider id column.
const MAX_BANK_ID: usize = 120;

/// Lower-case hex of `bytes`.
pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// 16 hex digits of SHA-256 over the entry's content.
fn fingerprint(entry: &Entry) -> String {
    let mut hash = Sha256::new();
    for part in [
        entry.date.to_string().as_str(),
        &entry.amount.normalize().to_string(),
        &entry.payee.to_lowercase(),
        &entry.memo.as_deref().unwrap_or_default().to_lowercase(),
        entry.bank_id.as_deref().unwrap_or_default(),
    ] {
        hash.update(part.as_bytes());
        hash.update([0x1f]);
    }
    hex(&hash.finalize()[..8])
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn entry(line: u32, id: Option<&str>, payee: &str, amount: &str) -> Entry {
        Entry {
            line,
            bank_id: id.map(str::to_owned),
            date: NaiveDate::from_ymd_opt(2024, 3, 1).unwrap_or_default(),
            amount: amount.parse().unwrap(),
            payee: payee.into(),
            memo: None,
        }
    }

    #[test]
    fn unique_bank_ids_name_their_entries() {
        let (ids, repeated) = provider_ids(&[
            entry(1, Some("A1"), "x", "-1"),
            entry(2, Some("A2"), "x", "-1"),
        ]);
        assert_eq!(ids, ["id:A1", "id:A2"]);
        assert!(repeated.is_empty());
    }

    #[test]
    fn two_identical_purchases_stay_two_and_keep_their_ids_on_reimport() {
        let file = [
            entry(2, None, "Coffee", "-3.50"),
            entry(3, None, "Coffee", "-3.50"),
        ];
        let (ids, _) = provider_ids(&file);
        assert_ne!(ids[0], ids[1]);
        assert!(ids[0].ends_with("#1") && ids[1].ends_with("#2"));
        assert_eq!(
            provider_ids(&file).0,
            ids,
            "the same file names the same rows"
        );
        // A later file that holds both (and more) names them the same.
        let later = [
            entry(9, None, "Rent", "-900"),
            file[0].clone(),
            file[1].clone(),
        ];
        assert_eq!(&provider_ids(&later).0[1..], &ids[..]);
    }

    #[test]
    fn same_day_same_payee_opposite_amounts_are_different() {
        let (ids, _) = provider_ids(&[entry(2, None, "N26", "328"), entry(3, None, "N26", "-328")]);
        assert_ne!(ids[0], ids[1]);
    }

    #[test]
    fn a_repeated_bank_id_overwrites_nothing_and_is_reported() {
        let (ids, repeated) = provider_ids(&[
            entry(4, Some("DUP"), "Grocer", "-10"),
            entry(9, Some("DUP"), "Cinema", "-12"),
            entry(12, Some("OK"), "Pay", "100"),
        ]);
        assert_eq!(ids.len(), 3);
        assert_ne!(ids[0], ids[1]);
        assert!(ids[0].starts_with("fp:") && ids[1].starts_with("fp:"));
        assert_eq!(ids[2], "id:OK");
        assert_eq!(
            repeated,
            [RepeatedId {
                bank_id: "DUP".into(),
                lines: vec![4, 9]
            }]
        );
    }

    #[test]
    fn a_long_bank_id_fits_the_column() {
        let long = "F".repeat(255);
        let (ids, _) = provider_ids(&[entry(1, Some(&long), "x", "-1")]);
        assert!(
            ids[0].starts_with("ih:") && ids[0].len() <= 128,
            "{}",
            ids[0]
        );
    }
}
