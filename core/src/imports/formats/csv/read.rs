//! A CSV file end to end: table, then layout (an explicit mapping over a
//! preset over generic detection), then rows.

use crate::imports::formats::ParseError;
use crate::imports::model::{CsvMapping, Format, ParsedFile};

use super::layout::{self, Layout};
use super::{generic, presets, rows, table};

/// Reads a CSV bank export; `mapping` overrides presets and detection.
pub(in crate::imports::formats) fn parse(
    text: &str,
    mapping: Option<&CsvMapping>,
) -> Result<ParsedFile, ParseError> {
    let table = table::read(text)?;
    if table.rows.is_empty() && mapping.is_none() {
        // A header and nothing else: an export of a quiet period.
        return Ok(ParsedFile {
            format: Format::Csv,
            statements: Vec::new(),
            rejected: Vec::new(),
        });
    }
    let layout = layout_of(&table, mapping)?;
    let (statements, rejected) = rows::read(&table, &layout);
    Ok(ParsedFile {
        format: Format::Csv,
        statements,
        rejected,
    })
}

/// The layout: the mapping, else the preset the header matches, else
/// detection (memo columns by header word where none are named).
fn layout_of(table: &table::Table, mapping: Option<&CsvMapping>) -> Result<Layout, ParseError> {
    let detect_memo = |used: &[usize]| {
        generic::detect(table)
            .map(|l| l.memo)
            .unwrap_or_default()
            .into_iter()
            .filter(|c| !used.contains(c))
            .collect()
    };
    if let Some(mapping) = mapping {
        return layout::resolve(mapping, None, table, detect_memo);
    }
    if let Some(preset) = table.header.as_deref().and_then(presets::find) {
        return layout::resolve(&preset.mapping(), Some(preset.memo), table, detect_memo).map_err(
            |e| match e {
                ParseError::Malformed { line, message } => {
                    ParseError::malformed(line, format!("{} layout: {message}", preset.name))
                }
                other => other,
            },
        );
    }
    generic::detect(table)
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;
    use crate::imports::model::{DateOrder, Entry};

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn entries(parsed: &ParsedFile) -> Vec<&Entry> {
        parsed.entries().collect()
    }

    #[test]
    fn an_explicit_mapping_by_header_name() {
        let text = "When,Who,How much,Ref\n31/03/2024,Shop,\"-1.234,50\",A1\n01/04/2024,Boss,\"2.000,00\",A2\n";
        let mapping = CsvMapping {
            date: "when".into(),
            description: "Who".into(),
            amount: Some("How much".into()),
            id: Some("Ref".into()),
            ..CsvMapping::default()
        };
        let parsed = parse(text, Some(&mapping)).unwrap();
        let e = entries(&parsed);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].amount, d("-1234.50"));
        assert_eq!(e[0].date.to_string(), "2024-03-31");
        assert_eq!(e[0].bank_id.as_deref(), Some("A1"));
        assert_eq!(e[1].payee, "Boss");
    }

    #[test]
    fn an_explicit_mapping_by_position_without_header() {
        let text = "05/03/2021;Coffee;4,50;X\n06/03/2021;Rent;-800,00;Y\n";
        let mapping = CsvMapping {
            date: "1".into(),
            date_order: Some(DateOrder::DayMonthYear),
            description: "2".into(),
            amount: Some("3".into()),
            negate: true,
            ..CsvMapping::default()
        };
        let parsed = parse(text, Some(&mapping)).unwrap();
        let e = entries(&parsed);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].date.to_string(), "2021-03-05");
        assert_eq!(e[0].amount, d("-4.50"));
        assert_eq!(e[1].amount, d("800.00"));
        assert_eq!(e[0].line, 1);
    }

    #[test]
    fn a_mapping_naming_a_missing_column_is_malformed() {
        let mapping = CsvMapping {
            date: "Date".into(),
            amount: Some("Betrag".into()),
            ..CsvMapping::default()
        };
        let err = parse("Date,Amount\n2024-01-01,5\n", Some(&mapping)).unwrap_err();
        assert!(
            matches!(err, ParseError::Malformed { message, .. } if message.contains("'Betrag'"))
        );
    }

    #[test]
    fn decimal_comma_amounts_are_read() {
        let text = "Datum;Empfänger;Betrag;Saldo\n10.10.2017;Drillisch;-98,76;1.234,56\n11.10.2017;Lohn;1.500,00;2.734,56\n";
        let parsed = parse(text, None).unwrap();
        let e = entries(&parsed);
        assert_eq!(
            e.iter().map(|e| e.amount).collect::<Vec<_>>(),
            vec![d("-98.76"), d("1500.00")]
        );
        assert_eq!(e[0].payee, "Drillisch");
        assert_eq!(e[0].date.to_string(), "2017-10-10");
    }

    #[test]
    fn debit_and_credit_columns_give_the_sign() {
        let text = "Date,Description,Debit,Credit\n2024-01-02,Shop,12.00,\n2024-01-03,Pay,,100.00\n2024-01-04,Nothing,,\n";
        let parsed = parse(text, None).unwrap();
        let e = entries(&parsed);
        assert_eq!(
            e.iter().map(|e| e.amount).collect::<Vec<_>>(),
            vec![d("-12.00"), d("100.00")]
        );
        assert_eq!(parsed.rejected.len(), 1);
        assert_eq!(parsed.rejected[0].line, 4);
        assert!(
            parsed.rejected[0]
                .reason
                .contains("neither debit nor credit")
        );
    }

    #[test]
    fn a_bad_row_is_rejected_with_its_line() {
        let text = "Date,Payee,Amount\n2024-01-02,Shop,-5.00\n\n31/02/2024,Ghost,-1.00\n2024-01-05,Bad,abc\n";
        let parsed = parse(text, None).unwrap();
        assert_eq!(parsed.entries().count(), 1);
        let rejected = parsed.rejections();
        assert_eq!(
            rejected,
            vec![
                (4, "date '31/02/2024' is not a date"),
                (5, "amount 'abc' is not a number")
            ]
        );
    }

    #[test]
    fn a_csv_without_an_amount_column_is_malformed() {
        let err = parse("Date,Payee\n2024-01-02,Shop\n2024-01-03,Cafe\n", None).unwrap_err();
        assert!(
            matches!(err, ParseError::Malformed { message, .. } if message.contains("no amount column"))
        );
    }

    #[test]
    fn a_header_without_rows_holds_nothing() {
        let parsed = parse("Date,Payee,Amount\n", None).unwrap();
        assert!(parsed.statements.is_empty() && parsed.rejected.is_empty());
    }

    #[test]
    fn a_preset_reads_its_bank_sign_convention() {
        let text = "\"Merchant Name\",\"Card Used For Transaction\",\"Date\",\"Time\",\"Amount\"\n\"Mobil\",\"**** 1234\",\"01/10/2019\",\"06:50 PM\",\"36.33\"\n";
        let parsed = parse(text, None).unwrap();
        assert_eq!(parsed.statements[0].account.as_deref(), Some("**** 1234"));
        assert_eq!(entries(&parsed)[0].amount, d("-36.33"));
    }

    #[test]
    fn rows_are_grouped_by_account_and_currency() {
        let text = "Date,Account,Currency,Payee,Amount\n2024-01-02,A,eur,x,1\n2024-01-03,B,EUR,y,2\n2024-01-04,A,EUR,z,3\n";
        let parsed = parse(text, None).unwrap();
        let summary: Vec<(Option<&str>, Option<&str>, usize)> = parsed
            .statements
            .iter()
            .map(|s| (s.account.as_deref(), s.currency.as_deref(), s.entries.len()))
            .collect();
        assert_eq!(
            summary,
            vec![(Some("A"), Some("EUR"), 2), (Some("B"), Some("EUR"), 1)]
        );
    }
}
