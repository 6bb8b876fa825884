//! The CSV text as a table: which delimiter it uses, whether its first
//! row is a header, and every other non-blank row with its line.

use rust_decimal::Decimal;

use crate::imports::formats::ParseError;
use crate::imports::formats::values::{parse_amount, parse_date};
use crate::imports::model::DateOrder;

/// Delimiters banks use, in order of preference on a tie.
const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];
/// How many non-blank records decide the delimiter.
const SNIFF_RECORDS: usize = 8;

/// A data row and the 1-based line it starts on.
pub(super) struct Row {
    pub line: u32,
    pub fields: Vec<String>,
}

impl Row {
    /// The trimmed field at `column`; empty when the row is short.
    pub fn get(&self, column: usize) -> &str {
        self.fields.get(column).map_or("", |f| f.trim())
    }
}

/// The rows of a CSV text.
pub(super) struct Table {
    /// The header's names as written (trimmed), when the first row is one.
    pub header: Option<Vec<String>>,
    pub rows: Vec<Row>,
    /// The widest row (or header): how many columns there are.
    pub width: usize,
}

impl Table {
    /// The values of `column` in every row.
    pub fn column(&self, column: usize) -> impl Iterator<Item = &str> {
        self.rows.iter().map(move |r| r.get(column))
    }

    /// The header name of `column`, lower case; empty without a header.
    pub fn name(&self, column: usize) -> String {
        self.header
            .as_ref()
            .and_then(|h| h.get(column))
            .map(|n| n.to_lowercase())
            .unwrap_or_default()
    }
}

/// The delimiter that splits the first non-blank records into the same
/// number (at least two) of fields, the one giving most fields winning;
/// `None` when no delimiter does, or there are fewer than `min_records`.
pub(in crate::imports::formats) fn sniff_delimiter(text: &str, min_records: usize) -> Option<u8> {
    let mut best: Option<(usize, u8)> = None;
    for delimiter in DELIMITERS {
        let Some(width) = consistent_width(text, delimiter, min_records) else {
            continue;
        };
        if width >= 2 && best.is_none_or(|(w, _)| width > w) {
            best = Some((width, delimiter));
        }
    }
    best.map(|(_, d)| d)
}

/// The field count every sampled record shares (extra trailing empty
/// fields allowed: some banks end data rows with a stray delimiter).
fn consistent_width(text: &str, delimiter: u8, min_records: usize) -> Option<usize> {
    let mut reader = reader(text, delimiter);
    let mut width = None;
    let mut count = 0;
    for record in reader.records() {
        let record = record.ok()?;
        if is_blank(record.iter()) {
            continue;
        }
        match width {
            None => width = Some(record.len()),
            Some(w) if record.len() == w => {}
            Some(w) if record.len() > w && is_blank(record.iter().skip(w)) => {}
            Some(_) => return None,
        }
        count += 1;
        if count == SNIFF_RECORDS {
            break;
        }
    }
    width.filter(|_| count >= min_records)
}

/// A reader of raw records (no header handling, ragged rows allowed).
fn reader(text: &str, delimiter: u8) -> ::csv::Reader<&[u8]> {
    ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
}

/// Whether every field is empty or whitespace.
fn is_blank<'a>(mut fields: impl Iterator<Item = &'a str>) -> bool {
    fields.all(|f| f.trim().is_empty())
}

/// The text split into rows, blank rows left out. Fails only when the
/// text is not CSV at all.
pub(super) fn read(text: &str) -> Result<Table, ParseError> {
    let delimiter = sniff_delimiter(text, 1)
        .or_else(|| most_used_delimiter(text))
        .ok_or_else(|| {
            ParseError::malformed(Some(1), "no ',', ';' or tab splits the rows into columns")
        })?;
    let mut rows = Vec::new();
    let mut lines = Lines::new(text);
    for record in reader(text, delimiter).records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| to_line(p.line()));
            ParseError::malformed(line, format!("unreadable CSV: {e}"))
        })?;
        if is_blank(record.iter()) {
            continue;
        }
        let line = record.position().map_or(0, |p| lines.at(p.byte()));
        rows.push(Row {
            line,
            fields: record.iter().map(str::to_owned).collect(),
        });
    }
    let header = rows.first().filter(|r| is_header(&r.fields)).map(|r| {
        r.fields
            .iter()
            .map(|f| f.trim().trim_start_matches('\u{feff}').to_owned())
            .collect()
    });
    if header.is_some() {
        rows.remove(0);
    }
    let width = rows
        .iter()
        .map(|r| r.fields.len())
        .chain(header.iter().map(Vec::len))
        .max()
        .unwrap_or(0);
    Ok(Table {
        header,
        rows,
        width,
    })
}

/// For ragged files: the delimiter the first non-blank line uses most.
fn most_used_delimiter(text: &str) -> Option<u8> {
    let line = text.lines().find(|l| !l.trim().is_empty())?;
    DELIMITERS
        .into_iter()
        .map(|d| (line.bytes().filter(|b| *b == d).count(), d))
        .filter(|(n, _)| *n > 0)
        .max_by_key(|(n, _)| *n)
        .map(|(_, d)| d)
}

/// 1-based lines of record starts. The csv crate's own line count is
/// off after blank lines, so lines are counted from byte offsets (which
/// may point at the blank lines before the record).
struct Lines<'a> {
    text: &'a str,
    byte: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    /// Counting starts at line 1, byte 0.
    fn new(text: &'a str) -> Self {
        Self {
            text,
            byte: 0,
            line: 1,
        }
    }

    /// The line of the record whose reading started at `byte` (records
    /// come in order, so counting resumes where it stopped).
    fn at(&mut self, byte: u64) -> u32 {
        let byte = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        let rest = self.text.get(byte..).unwrap_or_default();
        let start = byte + rest.len() - rest.trim_start_matches(['\r', '\n']).len();
        if start >= self.byte {
            let skipped = self.text.get(self.byte..start).unwrap_or_default();
            self.line += skipped.matches('\n').count();
            self.byte = start;
        }
        u32::try_from(self.line).unwrap_or(u32::MAX)
    }
}

/// A csv line number as the model's `u32`.
fn to_line(line: u64) -> u32 {
    u32::try_from(line).unwrap_or(u32::MAX)
}

/// A header names columns: none of its fields reads as a date or amount.
fn is_header(fields: &[String]) -> bool {
    !fields
        .iter()
        .any(|f| looks_like_date(f) || amount(f, None).is_ok())
}

/// An amount cell, a currency sign or code beside the number allowed
/// (`12,50 €`, `EUR 12.50`, `£3.20`); the reason quotes the cell.
pub(super) fn amount(raw: &str, decimal_comma: Option<bool>) -> Result<Decimal, String> {
    let is_code = |w: &str| w.len() == 3 && w.chars().all(|c| c.is_ascii_uppercase());
    let symbols = |s: &str| s.trim().trim_matches(['€', '£']).trim().to_owned();
    let cell = symbols(raw);
    let number = match (cell.split_once(' '), cell.rsplit_once(' ')) {
        (Some((code, rest)), _) if is_code(code) => symbols(rest),
        (_, Some((rest, code))) if is_code(code) => symbols(rest),
        _ => cell.clone(),
    };
    parse_amount(&number, decimal_comma, true)
        .map_err(|_| format!("amount '{}' is not a number", raw.trim()))
}

/// The date of a cell that may carry a time (`2024-03-31 10:00`,
/// `2024-03-31T10:00:00`).
pub(super) fn date_part(raw: &str) -> &str {
    raw.trim()
        .split(|c: char| c.is_whitespace() || c == 'T')
        .next()
        .unwrap_or_default()
}

/// Whether a cell reads as a date in some order.
pub(in crate::imports::formats) fn looks_like_date(raw: &str) -> bool {
    let raw = date_part(raw);
    [
        DateOrder::YearMonthDay,
        DateOrder::DayMonthYear,
        DateOrder::MonthDayYear,
    ]
    .into_iter()
    .any(|order| parse_date(raw, order).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delimiter_is_the_one_that_splits_consistently() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n", 2), Some(b','));
        assert_eq!(sniff_delimiter("a;b;c\n1;\"2,5\";3\n", 2), Some(b';'));
        assert_eq!(sniff_delimiter("a\tb\n1\t2\n", 2), Some(b'\t'));
        assert_eq!(sniff_delimiter("a,b\n1,2,3\n", 2), None);
        assert_eq!(sniff_delimiter("a,b\n", 2), None);
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3,\n", 2), Some(b','));
    }

    #[test]
    fn the_header_is_told_from_data() {
        let table = read("Date,Amount\n\n2024-01-02,5\n").unwrap();
        assert_eq!(
            table.header,
            Some(vec!["Date".to_owned(), "Amount".to_owned()])
        );
        assert_eq!(table.rows.len(), 1);
        assert_eq!(table.rows[0].line, 3);
        let bare = read("2024-01-02,Shop,5\n2024-01-03,Shop,6\n").unwrap();
        assert_eq!(bare.header, None);
        assert_eq!(bare.rows.len(), 2);
    }

    #[test]
    fn amount_cells_may_name_their_currency() {
        let d = |s: &str| s.parse::<Decimal>().ok();
        assert_eq!(amount("12,50 €", None).ok(), d("12.50"));
        assert_eq!(amount("EUR -12.50", None).ok(), d("-12.50"));
        assert_eq!(amount("-3.20 GBP", None).ok(), d("-3.20"));
        assert_eq!(amount("£3.20", None).ok(), d("3.20"));
        assert_eq!(
            amount("12 EUR 5", None),
            Err("amount '12 EUR 5' is not a number".to_owned())
        );
        assert_eq!(
            amount("abc", None),
            Err("amount 'abc' is not a number".to_owned())
        );
    }
}
