//! Every file of `shared/fixtures/bank-files` (public exports no one here
//! wrote) read as its `MANIFEST.tsv` says a correct importer reads it:
//! count, exact sum, date range, distinct bank ids, and per statement the
//! account, currency, count and sum. The refused files come back empty or
//! as an error.

use std::collections::HashSet;
use std::path::PathBuf;

use rust_decimal::Decimal;

use super::parse;
use crate::imports::model::{ParseOptions, ParsedFile};

/// The fixtures sit in the shared folder beside the repository.
fn fixtures() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .map(|a| a.join("shared/fixtures/bank-files"))
        .find(|p| p.join("MANIFEST.tsv").is_file())
        .unwrap_or_else(|| {
            panic!(
                "shared/fixtures/bank-files not found above {}",
                here.display()
            )
        })
}

struct Row {
    file: String,
    accounts: String,
    transactions: String,
    sum: String,
    date_from: String,
    date_to: String,
    distinct_ids: String,
}

fn manifest() -> Vec<Row> {
    let text = std::fs::read_to_string(fixtures().join("MANIFEST.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let c: Vec<&str> = line.split('\t').collect();
            assert!(c.len() >= 12, "manifest line: {line}");
            Row {
                file: c[0].into(),
                accounts: c[6].into(),
                transactions: c[7].into(),
                sum: c[8].into(),
                date_from: c[9].into(),
                date_to: c[10].into(),
                distinct_ids: c[11].into(),
            }
        })
        .collect()
}

fn read(file: &str) -> Result<ParsedFile, super::ParseError> {
    let bytes = std::fs::read(fixtures().join(file)).unwrap();
    parse(&bytes, &ParseOptions::default())
}

fn leading_number(s: &str) -> Option<usize> {
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty() && s[digits.len()..].trim().is_empty()
        || s[digits.len()..].starts_with(' '))
    .then(|| digits.parse().ok())
    .flatten()
}

/// One ` | `-separated part of the manifest's `accounts` column.
fn check_statements(row: &Row, parsed: &ParsedFile) {
    let mut index = 0;
    for segment in row.accounts.split(" | ") {
        if let Some(currency) = segment.strip_prefix("currency ") {
            for s in &parsed.statements {
                assert_eq!(
                    s.currency.as_deref(),
                    Some(currency),
                    "{}: currency",
                    row.file
                );
            }
            continue;
        }
        let Some((head, tail)) = segment.rsplit_once(": ") else {
            continue; // "(not in file)", "(no statement)"
        };
        let statement = parsed
            .statements
            .get(index)
            .unwrap_or_else(|| panic!("{}: statement {index} missing ({segment})", row.file));
        index += 1;
        let (account, bracket) = match head.split_once(" [") {
            Some((a, b)) => (a, Some(b.trim_end_matches(']'))),
            None => (head, None),
        };
        if account.starts_with('(') {
            assert_eq!(
                statement.account, None,
                "{}: account of {segment}",
                row.file
            );
        } else {
            assert_eq!(
                statement.account.as_deref(),
                Some(account),
                "{}: account",
                row.file
            );
        }
        let currency = bracket.and_then(|b| {
            b.split([',', ';'])
                .map(str::trim)
                .find(|t| t.len() == 3 && t.chars().all(|c| c.is_ascii_uppercase()))
        });
        if let Some(currency) = currency {
            assert_eq!(
                statement.currency.as_deref(),
                Some(currency),
                "{}: currency of {segment}",
                row.file
            );
        }
        let mut figures = tail.split(", ");
        let count: usize = figures
            .next()
            .and_then(|f| f.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{}: count in {segment}", row.file));
        assert_eq!(
            statement.entries.len(),
            count,
            "{}: entries of {segment}",
            row.file
        );
        if let Some(sum) = figures.next() {
            let expected: Decimal = sum.parse().unwrap();
            let got: Decimal = statement.entries.iter().map(|e| e.amount).sum();
            assert_eq!(got, expected, "{}: sum of {segment}", row.file);
        }
    }
    assert_eq!(
        index.max(1),
        parsed.statements.len().max(1),
        "{}: statements",
        row.file
    );
}

fn check_valid(row: &Row, count: usize) {
    let parsed = read(&row.file).unwrap_or_else(|e| panic!("{}: {e}", row.file));
    assert_eq!(parsed.rejected, vec![], "{}: rejected rows", row.file);
    assert_eq!(
        parsed.entries().count(),
        count,
        "{}: transactions",
        row.file
    );
    let sum: Decimal = parsed.entries().map(|e| e.amount).sum();
    assert_eq!(
        sum,
        row.sum.parse::<Decimal>().unwrap(),
        "{}: sum",
        row.file
    );
    let from = parsed.entries().map(|e| e.date).min().unwrap();
    let to = parsed.entries().map(|e| e.date).max().unwrap();
    assert_eq!(from.to_string(), row.date_from, "{}: first date", row.file);
    assert_eq!(to.to_string(), row.date_to, "{}: last date", row.file);
    let ids: HashSet<&str> = parsed
        .entries()
        .filter_map(|e| e.bank_id.as_deref())
        .collect();
    match leading_number(&row.distinct_ids) {
        Some(_) if row.distinct_ids.contains("not a bank id") => {
            assert!(ids.is_empty(), "{}: ids", row.file)
        }
        Some(n) => assert_eq!(ids.len(), n, "{}: distinct bank ids", row.file),
        None => assert!(ids.is_empty(), "{}: no ids expected, got {ids:?}", row.file),
    }
    check_statements(row, &parsed);
}

#[test]
fn every_fixture_reads_as_the_manifest_says() {
    let rows = manifest();
    assert!(rows.len() >= 30, "the manifest lists {} files", rows.len());
    for row in &rows {
        match row.transactions.parse::<usize>() {
            Ok(count) => check_valid(row, count),
            // "0 valid (…)", "0 (…)": refused, or nothing readable in it.
            Err(_) => match read(&row.file) {
                Err(_) => {}
                Ok(parsed) => assert_eq!(
                    parsed.entries().count(),
                    0,
                    "{}: must hold nothing",
                    row.file
                ),
            },
        }
    }
}

#[test]
fn a_refused_file_says_why() {
    use super::ParseError;
    assert!(
        matches!(read("ofxparse__error_message.ofx"), Err(ParseError::NoStatement { message }) if message.contains("General Server Error"))
    );
    assert!(matches!(
        read("genkgo__camt053.v2.wrong.xml"),
        Err(ParseError::NoStatement { .. })
    ));
    let bad_amount = read("ofxparse__fail_nice-decimal_error.ofx").unwrap();
    assert_eq!(bad_amount.rejected.len(), 1);
    assert!(
        bad_amount.rejected[0].reason.contains("$120"),
        "{:?}",
        bad_amount.rejected
    );
    let snipped = read("asgrim__ofxdata-banking-xml200.ofx").unwrap();
    assert_eq!(snipped.rejected.len(), 1, "{:?}", snipped.rejected);
}

#[test]
fn text_is_decoded_from_the_files_own_encoding() {
    let utf8 = read("actual__utf-8.qfx").unwrap();
    let entry = utf8.entries().next().unwrap();
    assert_eq!(entry.payee, "Café Métro €uro");
    let cp1252 = read("actual__windows-1252.csv").unwrap();
    let payees: Vec<&str> = cp1252.entries().map(|e| e.payee.as_str()).collect();
    assert!(
        payees.iter().any(|p| p.contains('é')) && payees.iter().any(|p| p.contains('ü')),
        "{payees:?}"
    );
    let latin1 = read("csv2ofx__gls.csv").unwrap();
    assert!(
        latin1
            .entries()
            .next()
            .unwrap()
            .payee
            .chars()
            .all(|c| c != '\u{fffd}')
    );
    let escaped = read("actual__html-vals.qfx").unwrap();
    let texts: Vec<String> = escaped
        .entries()
        .flat_map(|e| [e.payee.clone(), e.memo.clone().unwrap_or_default()])
        .collect();
    assert!(
        texts.iter().any(|t| t.contains("B.C. HYDRO & POWER")),
        "{texts:?}"
    );
    assert!(
        texts.iter().any(|t| t.contains("TPAY &lt;DEFTPYMT&gt;")),
        "{texts:?}"
    );
}
