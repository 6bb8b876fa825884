//! Whole OFX documents through [`super::parse`]: the shapes real files
//! take, the records that must be refused, and files cut off.

use std::path::PathBuf;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::parse;
use crate::imports::formats::ParseError;
use crate::imports::model::ParsedFile;

/// An OFX 1 header: the body starts on line 5.
const HEADER: &str = "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n";

/// An SGML file with one bank statement holding `transactions`.
fn sgml(transactions: &str) -> String {
    format!(
        "{HEADER}<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>cad<BANKACCTFROM><BANKID>1<ACCTID>12-3\
         </BANKACCTFROM><BANKTRANLIST><DTSTART>20240101\n{transactions}\n</BANKTRANLIST></STMTRS>\
         </STMTTRNRS></BANKMSGSRSV1></OFX>\n"
    )
}

fn read(text: &str) -> ParsedFile {
    parse(text).unwrap_or_else(|e| panic!("{e}"))
}

fn amount(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn fixture(name: &str) -> String {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = here
        .ancestors()
        .map(|a| a.join("shared/fixtures/bank-files"))
        .find(|p| p.is_dir())
        .unwrap();
    String::from_utf8(std::fs::read(dir.join(name)).unwrap()).unwrap()
}

#[test]
fn unclosed_leaf_tags_on_one_line() {
    let file = read(&sgml(
        "<STMTTRN><TRNTYPE>POS<DTPOSTED>20090401122017.000[-5:EST]<TRNAMT>-6.60<FITID> 0001 <NAME>MCDONALD'S  #112<MEMO>POS</STMTTRN>",
    ));
    assert_eq!(file.rejected, vec![]);
    let [statement] = file.statements.as_slice() else {
        panic!("{file:?}")
    };
    assert_eq!(statement.account.as_deref(), Some("12-3"));
    assert_eq!(statement.currency.as_deref(), Some("CAD"));
    let [entry] = statement.entries.as_slice() else {
        panic!("{statement:?}")
    };
    assert_eq!(entry.line, 6);
    assert_eq!(entry.date, NaiveDate::from_ymd_opt(2009, 4, 1).unwrap());
    assert_eq!(entry.amount, amount("-6.60"));
    assert_eq!(entry.bank_id.as_deref(), Some("0001"));
    assert_eq!(entry.payee, "MCDONALD'S #112");
    assert_eq!(entry.memo.as_deref(), Some("POS"));
}

#[test]
fn cdata_is_verbatim_then_trimmed() {
    let file = read(&sgml(
        "<STMTTRN><DTPOSTED>20131215</DTPOSTED><TRNAMT>-16.85</TRNAMT>\
         <NAME><![CDATA[ ALDI &amp; <CO>  ]]></NAME><MEMO><![CDATA[WEST   VIC]]></MEMO></STMTTRN>",
    ));
    let entry = file.entries().next().unwrap();
    assert_eq!(entry.payee, "ALDI &amp; <CO>");
    assert_eq!(entry.memo.as_deref(), Some("WEST VIC"));
}

#[test]
fn elements_out_of_dtd_order() {
    let file = read(&sgml(
        "<STMTTRN>\n<MEMO>Spaghetti Factory\n<FITID>2022020100000001\n<TRNAMT>-138.42\n<DTPOSTED>20220201000000.000\n</STMTTRN>",
    ));
    let entry = file.entries().next().unwrap();
    assert_eq!(entry.amount, amount("-138.42"));
    assert_eq!(entry.bank_id.as_deref(), Some("2022020100000001"));
    // No NAME: the memo is the payee.
    assert_eq!(entry.payee, "Spaghetti Factory");
}

#[test]
fn bad_values_are_rejected_and_the_rest_is_read() {
    let file = read(&sgml(
        "<STMTTRN><DTPOSTED>201120000000<TRNAMT>-1.00<FITID>a</STMTTRN>\n\
         <STMTTRN><DTPOSTED>20110101<TRNAMT>$120<FITID>b</STMTTRN>\n\
         <STMTTRN><DTPOSTED>20110101<FITID>c</STMTTRN>\n\
         <STMTTRN><DTPOSTED>20110102<TRNAMT>5<FITID>d</STMTTRN>",
    ));
    let reasons = file.rejections();
    assert_eq!(
        reasons,
        [
            (6, "date '201120000000' is not a date"),
            (7, "amount '$120' is not a number"),
            (8, "no amount (TRNAMT)"),
        ]
    );
    let ids: Vec<_> = file.entries().map(|e| e.bank_id.as_deref()).collect();
    assert_eq!(ids, [Some("d")]);
}

#[test]
fn a_transaction_with_no_fields_is_rejected() {
    let file = read(&sgml("<STMTTRN>\n*snipped*\n</STMTTRN>"));
    assert_eq!(file.entries().count(), 0);
    assert_eq!(file.rejected.len(), 1);
    assert!(
        file.rejected[0].reason.contains("*snipped*"),
        "{:?}",
        file.rejected
    );
}

#[test]
fn entities_are_decoded_once_and_raw_ampersands_kept() {
    let file = read(&sgml(
        "<STMTTRN><DTPOSTED>20230301<TRNAMT>-1,5<NAME>TPAY &amp;lt;DEF&amp;gt;<MEMO>IOF de \"Leu\" & B.C. &amp; co</STMTTRN>",
    ));
    let entry = file.entries().next().unwrap();
    assert_eq!(entry.payee, "TPAY &lt;DEF&gt;");
    assert_eq!(entry.memo.as_deref(), Some("IOF de \"Leu\" & B.C. & co"));
    assert_eq!(entry.amount, amount("-1.5"));
}

#[test]
fn payee_aggregate_gives_the_name() {
    let file = read(&sgml(
        "<STMTTRN><DTPOSTED>20230301<TRNAMT>1<PAYEE><NAME>ACME<CITY>X</PAYEE><FITID></STMTTRN>",
    ));
    let entry = file.entries().next().unwrap();
    assert_eq!(entry.payee, "ACME");
    assert_eq!(entry.bank_id, None);
    assert_eq!(entry.memo, None);
}

#[test]
fn every_statement_in_order_even_empty_ones() {
    let text = "<?xml version=\"1.0\"?>\n<?OFX OFXHEADER=\"200\"?>\n<OFX><BANKMSGSRSV1>\
        <STMTTRNRS><STMTRS><CURDEF>GBP</CURDEF><BANKACCTFROM><ACCTID>A</ACCTID></BANKACCTFROM>\
        <BANKTRANLIST></BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1><CREDITCARDMSGSRSV1>\
        <CCSTMTTRNRS><CCSTMTRS><CURDEF>EUR</CURDEF><CCACCTFROM><ACCTID>B</ACCTID></CCACCTFROM>\
        <BANKTRANLIST><STMTTRN><DTPOSTED>20140717</DTPOSTED><TRNAMT>-3.98</TRNAMT></STMTTRN>\
        </BANKTRANLIST></CCSTMTRS></CCSTMTTRNRS></CREDITCARDMSGSRSV1></OFX>";
    let file = read(text);
    let summary: Vec<_> = file
        .statements
        .iter()
        .map(|s| (s.account.as_deref(), s.currency.as_deref(), s.entries.len()))
        .collect();
    assert_eq!(
        summary,
        [(Some("A"), Some("GBP"), 0), (Some("B"), Some("EUR"), 1)]
    );
}

#[test]
fn a_server_error_is_no_statement_with_its_message() {
    let text = "\n\n<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS></SONRS></SIGNONMSGSRSV1>\
        <BANKMSGSRSV1><STMTTRNRS><STATUS><CODE>2000<SEVERITY>ERROR<MESSAGE>General Server Error</STATUS>\
        </STMTTRNRS></BANKMSGSRSV1></OFX>";
    let Err(ParseError::NoStatement { message }) = parse(text) else {
        panic!()
    };
    assert!(
        message.contains("General Server Error") && message.contains("2000"),
        "{message}"
    );
    let Err(ParseError::NoStatement { message }) =
        parse("<OFX><SIGNONMSGSRSV1></SIGNONMSGSRSV1></OFX>")
    else {
        panic!()
    };
    assert!(message.contains("STMTRS"), "{message}");
}

#[test]
fn a_file_cut_at_half_its_bytes_is_malformed() {
    for name in [
        "ofxparse__bank_medium.ofx",
        "yofi__SampleData-2022-Full-Month02.ofx",
        "ofxparse__suncorp.ofx",
    ] {
        let text = fixture(name);
        assert!(parse(&text).is_ok(), "{name} whole");
        let half = &text.as_bytes()[..text.len() / 2];
        let cut = String::from_utf8_lossy(half);
        let last_line = u32::try_from(cut.lines().count()).unwrap();
        match parse(&cut) {
            Err(ParseError::Malformed {
                line: Some(line), ..
            }) => assert!(line <= last_line, "{name}: {line}"),
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn a_file_missing_its_last_end_tag_is_malformed() {
    let text = sgml("");
    let cut = text.trim_end().trim_end_matches("</OFX>");
    assert!(matches!(
        parse(cut),
        Err(ParseError::Malformed { line: Some(_), .. })
    ));
}
