//! Which format a text is, from its first lines. Says a format only when
//! the text shows it; anything else (a PDF, an image, prose, other XML)
//! is `None`, which the caller reports as an unknown format.

use crate::imports::model::Format;

use super::csv::{looks_like_date, sniff_delimiter};

/// How much of the text's head is looked at.
const HEAD_CHARS: usize = 4096;
/// How many of the first CSV records must show a date.
const CSV_RECORDS: usize = 5;
/// QIF header lines (compared upper case).
const QIF_HEADERS: [&str; 4] = ["!TYPE:", "!ACCOUNT", "!OPTION", "!CLEAR"];

/// The format of `text`, when it is one Moneta reads.
pub(super) fn detect(text: &str) -> Option<Format> {
    let head: String = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .chars()
        .take(HEAD_CHARS)
        .collect();
    if head
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return None; // binary: an image, a PDF's streams, a zip
    }
    let upper = head.to_uppercase();
    if upper.starts_with('<') && (upper.contains("BKTOCSTMRSTMT") || upper.contains("CAMT.053")) {
        return Some(Format::Camt053);
    }
    if upper.contains("OFXHEADER") || upper.contains("<OFX>") || upper.contains("<OFX ") {
        return Some(Format::Ofx);
    }
    let first_line = upper.lines().next().unwrap_or_default().trim();
    if QIF_HEADERS.iter().any(|h| first_line.starts_with(h)) {
        return Some(Format::Qif);
    }
    if !upper.starts_with('<') && is_csv(text) {
        return Some(Format::Csv);
    }
    None
}

/// Rows that split consistently and show a date in their first records.
fn is_csv(text: &str) -> bool {
    let Some(delimiter) = sniff_delimiter(text, 2) else {
        return false;
    };
    ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .records()
        .take(CSV_RECORDS)
        .flatten()
        .any(|record| record.iter().any(looks_like_date))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ofx_and_qfx_are_found_by_their_header_or_root() {
        assert_eq!(
            detect("OFXHEADER:100\nDATA:OFXSGML\n\n<OFX>"),
            Some(Format::Ofx)
        );
        assert_eq!(
            detect("\r\n\r\n<OFX>\r\n<SIGNONMSGSRSV1>"),
            Some(Format::Ofx)
        );
        let xml = "<?xml version=\"1.0\"?>\n<?OFX OFXHEADER=\"200\" VERSION=\"200\"?>\n<OFX>";
        assert_eq!(detect(xml), Some(Format::Ofx));
        assert_eq!(detect("  <ofx >\n<signonmsgsrsv1>"), Some(Format::Ofx));
    }

    #[test]
    fn camt053_is_found_by_its_message_or_namespace() {
        let camt = "<?xml version=\"1.0\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">\n<BkToCstmrStmt>";
        assert_eq!(detect(camt), Some(Format::Camt053));
        assert_eq!(
            detect("<Document><BkToCstmrStmt><GrpHdr/></BkToCstmrStmt></Document>"),
            Some(Format::Camt053)
        );
    }

    #[test]
    fn qif_is_found_by_its_first_line() {
        assert_eq!(
            detect("!Type:Bank\nD22/12/2017\nT-5.00\n^\n"),
            Some(Format::Qif)
        );
        assert_eq!(detect("\n!account\nNChecking\n^\n"), Some(Format::Qif));
        assert_eq!(detect("!Option:AutoSwitch\n"), Some(Format::Qif));
        assert_eq!(detect("!Clear:AutoSwitch\n"), Some(Format::Qif));
    }

    #[test]
    fn csv_is_found_by_consistent_columns_with_dates() {
        assert_eq!(
            detect("Date,Payee,Amount\n2024-01-02,Shop,-5.00\n"),
            Some(Format::Csv)
        );
        assert_eq!(
            detect("Datum;Betrag\n10.10.2017;\"-98,76\"\n"),
            Some(Format::Csv)
        );
        assert_eq!(detect("Date\tAmount\n01/02/2024\t5\n"), Some(Format::Csv));
    }

    #[test]
    fn anything_else_is_unknown() {
        assert_eq!(detect(""), None);
        assert_eq!(detect("   \n\n"), None);
        let png: String = [
            0x89u8, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n', 0, 0, 0, 13,
        ]
        .iter()
        .map(|b| char::from(*b))
        .collect();
        assert_eq!(detect(&png), None);
        assert_eq!(
            detect("%PDF-1.4\n%âãÏÓ\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"),
            None
        );
        let prose = "Dear customer,\nthank you for your letter of last week, which we read with care.\nWe will answer soon.\n";
        assert_eq!(detect(prose), None);
        assert_eq!(detect("name,colour\nrose,red\nsky,blue\n"), None);
        assert_eq!(
            detect("<?xml version=\"1.0\"?>\n<html><body>hi, there</body></html>"),
            None
        );
    }
}
