//! Whole QIF files through [`super::parse`]: date-order inference,
//! account blocks, skipped lists, and the records that must be refused.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::parse;
use crate::imports::formats::ParseError;
use crate::imports::model::ParsedFile;

fn read(text: &str) -> ParsedFile {
    parse(text).unwrap_or_else(|e| panic!("{e}"))
}

fn dates(file: &ParsedFile) -> Vec<NaiveDate> {
    file.entries().map(|e| e.date).collect()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn one_day_above_twelve_makes_the_whole_file_day_first() {
    let file = read("!Type:Bank\nD01/02/2018\nT1\n^\nD22/12/2017\nT2\n^\n");
    assert_eq!(dates(&file), [day(2018, 2, 1), day(2017, 12, 22)]);
}

#[test]
fn otherwise_month_first_with_quicken_years_and_padding() {
    let file = read("!Type:CCard\nD 1/ 5/19\nT-1\n^\nD12/25'17\nT-2\n^\n");
    assert_eq!(dates(&file), [day(2019, 1, 5), day(2017, 12, 25)]);
    let iso = read("!Type:Bank\nD2022-09-23\nT-184.8\n^\n");
    assert_eq!(dates(&iso), [day(2022, 9, 23)]);
    assert_eq!(
        iso.entries().next().unwrap().amount,
        "-184.8".parse::<Decimal>().unwrap()
    );
}

#[test]
fn account_blocks_name_their_statements() {
    let text = "!Type:Bank\nD2020-01-01\nT1\n^\n\
        !Account\nN0123 45678901.23A\nTBank\n^\n!Type:Bank\nD2020-01-02\nT-1,234.56\nN 42 \nPShop\nM\n^\n\
        !Account\nNCard\nTCCard\n^\n!Type:CCard\nD2020-01-03\nU5\n^\n";
    let file = read(text);
    let summary: Vec<_> = file
        .statements
        .iter()
        .map(|s| (s.account.as_deref(), s.entries.len()))
        .collect();
    assert_eq!(
        summary,
        [(None, 1), (Some("0123 45678901.23A"), 1), (Some("Card"), 1)]
    );
    let entry = &file.statements[1].entries[0];
    assert_eq!(entry.line, 10);
    assert_eq!(entry.amount, "-1234.56".parse::<Decimal>().unwrap());
    assert_eq!(entry.bank_id.as_deref(), Some("42"));
    assert_eq!(entry.payee, "Shop");
    assert_eq!(entry.memo, None);
    let card = &file.statements[2].entries[0];
    assert_eq!(card.amount, Decimal::from(5));
    assert_eq!(card.payee, "");
    assert!(file.statements.iter().all(|s| s.currency.is_none()));
}

#[test]
fn category_and_other_lists_are_skipped() {
    let text = "!Option:AutoSwitch\n!Type:Cat\nNFood\nDGroceries\nE\n^\nNSalary\nI\n^\n!Clear:AutoSwitch\n\
        !Type:Class\nNWork\n^\n!Type:Memorized\nKC\nT-5\nPRent\n^\n!Type:Bank\nD2020-03-04\nT-5\nPRent\n\
        SHousing\n$-3\nSFood\n$-2\n^\n!Type:Invst\nD2020-03-05\nNBuy\nT100\n^\n";
    let file = read(text);
    assert_eq!(file.rejected, vec![]);
    assert_eq!(file.statements.len(), 1);
    let amounts: Vec<Decimal> = file.entries().map(|e| e.amount).collect();
    assert_eq!(amounts, [Decimal::from(-5)]);
}

#[test]
fn bad_or_missing_values_are_rejected() {
    let text = "!Type:Bank\nD31/31/2020\nT1\n^\nD01/01/2020\nT12a\n^\nPNo date\nT1\n^\nD01/02/2020\n^\nD01/03/2020\nT3\n^\nD01/04/2020\nT-4";
    let file = read(text);
    let reasons = file.rejections();
    assert_eq!(
        reasons,
        [
            (2, "date '31/31/2020' is not a date"),
            (5, "amount '12a' is not a number"),
            (8, "no date (D line)"),
            (11, "no amount (T line)"),
            (16, "the file ends inside this record (no closing '^')"),
        ]
    );
    assert_eq!(file.entries().count(), 1);
}

#[test]
fn the_memo_stands_in_for_a_missing_payee() {
    let file = read("!Type:Bank\nD2019-03-31\nMSolde  prix\nT-10.00\nNA01\n^\n");
    let entry = file.entries().next().unwrap();
    assert_eq!(entry.payee, "Solde prix");
    assert_eq!(entry.memo.as_deref(), Some("Solde prix"));
}

#[test]
fn a_file_with_only_lists_holds_no_statement() {
    assert!(matches!(
        parse("!Type:Cat\nNFood\n^\n"),
        Err(ParseError::NoStatement { .. })
    ));
}
