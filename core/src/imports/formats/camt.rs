//! ISO 20022 `camt.053` bank-to-customer statements: one statement per
//! `Stmt`, one entry per booked `Ntry` (pending and information-only
//! entries are not bookings). Names are matched without their namespace
//! prefix, which banks may or may not write.

mod tree;

use rust_decimal::Decimal;

use crate::imports::formats::ParseError;
use crate::imports::formats::values::{clean_text, parse_amount, parse_date};
use crate::imports::model::{DateOrder, Entry, Format, ParsedFile, RejectedRow, Statement};

use tree::Element;

/// Entry statuses that are not bookings: pending, information only.
const NOT_BOOKED: [&str; 2] = ["PDNG", "INFO"];

/// Reads a camt.053 message.
pub(super) fn parse(text: &str) -> Result<ParsedFile, ParseError> {
    let root = tree::parse(text)?;
    let message = match root.name.as_str() {
        "BkToCstmrStmt" => Some(&root),
        _ => root.child("BkToCstmrStmt"),
    }
    .ok_or_else(|| ParseError::NoStatement {
        message: format!(
            "<{}> is not a camt.053 message (no BkToCstmrStmt)",
            root.name
        ),
    })?;
    let mut rejected = Vec::new();
    let statements: Vec<Statement> = message
        .children("Stmt")
        .map(|s| statement(s, &mut rejected))
        .collect();
    if statements.is_empty() {
        return Err(ParseError::NoStatement {
            message: "the camt.053 message holds no Stmt".to_owned(),
        });
    }
    Ok(ParsedFile {
        format: Format::Camt053,
        statements,
        rejected,
    })
}

/// One `Stmt`: its account, currency and booked entries.
fn statement(stmt: &Element, rejected: &mut Vec<RejectedRow>) -> Statement {
    let account = stmt
        .text_at(&["Acct", "Id", "IBAN"])
        .or_else(|| stmt.text_at(&["Acct", "Id", "Othr", "Id"]))
        .map(str::to_owned);
    let first_amount = || {
        stmt.children("Ntry")
            .chain(stmt.children("Bal"))
            .find_map(|e| e.child("Amt").and_then(|a| a.attribute("Ccy")))
    };
    let currency = stmt
        .text_at(&["Acct", "Ccy"])
        .or_else(first_amount)
        .map(|c| c.trim().to_ascii_uppercase());
    let mut entries = Vec::new();
    for ntry in stmt.children("Ntry") {
        let status = ntry
            .text_at(&["Sts"])
            .or_else(|| ntry.text_at(&["Sts", "Cd"]))
            .unwrap_or_default();
        if NOT_BOOKED.contains(&status.to_ascii_uppercase().as_str()) {
            continue;
        }
        match entry(ntry) {
            Ok(entry) => entries.push(entry),
            Err(reason) => rejected.push(RejectedRow {
                line: ntry.line,
                reason,
            }),
        }
    }
    Statement {
        account,
        currency,
        entries,
    }
}

/// One booked `Ntry`, or why it cannot be read.
fn entry(ntry: &Element) -> Result<Entry, String> {
    let raw = ntry.text_at(&["Amt"]).unwrap_or_default();
    let not_a_number = || format!("amount '{raw}' is not a number");
    if raw.contains(',') {
        return Err(not_a_number());
    }
    let value = parse_amount(raw, Some(false), false).map_err(|_| not_a_number())?;
    let indicator = ntry.text_at(&["CdtDbtInd"]).unwrap_or_default();
    let debit = match indicator {
        "CRDT" => false,
        "DBIT" => true,
        other => {
            return Err(format!(
                "credit/debit indicator '{other}' is neither CRDT nor DBIT"
            ));
        }
    };
    let amount: Decimal = if debit { -value } else { value };
    let date = booking_date(ntry)?;
    let payee = payee(ntry, debit);
    // The entry's own text may be both the payee and the memo: say it once.
    let memo = memo(ntry).filter(|m| *m != payee);
    Ok(Entry {
        line: ntry.line,
        bank_id: ntry
            .text_at(&["AcctSvcrRef"])
            .or_else(|| ntry.text_at(&["NtryRef"]))
            .map(str::to_owned),
        date,
        amount,
        payee,
        memo,
    })
}

/// `BookgDt` (date, or date part of a date-time), else `ValDt`.
fn booking_date(ntry: &Element) -> Result<chrono::NaiveDate, String> {
    let raw = ["BookgDt", "ValDt"]
        .iter()
        .find_map(|d| {
            ntry.text_at(&[d, "Dt"])
                .or_else(|| ntry.text_at(&[d, "DtTm"]))
        })
        .ok_or_else(|| "no booking or value date".to_owned())?;
    let day = raw.get(..10).unwrap_or(raw);
    parse_date(day, DateOrder::YearMonthDay).ok_or_else(|| format!("date '{raw}' is not a date"))
}

/// The other party: the creditor of money out, the debtor of money in
/// (the other way round for a reversal); else the entry's own text.
fn payee(ntry: &Element, debit: bool) -> String {
    let reversal = ntry
        .text_at(&["RvslInd"])
        .is_some_and(|r| r.eq_ignore_ascii_case("true"));
    let (party, ultimate) = if debit != reversal {
        ("Cdtr", "UltmtCdtr")
    } else {
        ("Dbtr", "UltmtDbtr")
    };
    let name = transactions(ntry).find_map(|tx| {
        [party, ultimate].iter().find_map(|p| {
            tx.text_at(&["RltdPties", p, "Nm"])
                .or_else(|| tx.text_at(&["RltdPties", p, "Pty", "Nm"]))
        })
    });
    name.or_else(|| ntry.text_at(&["AddtlNtryInf"]))
        .map(clean_text)
        .or_else(|| remittance(ntry))
        .unwrap_or_default()
}

/// The unstructured remittance lines, else the entry's own text.
fn memo(ntry: &Element) -> Option<String> {
    remittance(ntry).or_else(|| ntry.text_at(&["AddtlNtryInf"]).map(clean_text))
}

/// Every `RmtInf/Ustrd` of the entry's transactions, joined.
fn remittance(ntry: &Element) -> Option<String> {
    let lines: Vec<String> = transactions(ntry)
        .filter_map(|tx| tx.child("RmtInf"))
        .flat_map(|r| r.children("Ustrd"))
        .map(|u| clean_text(&u.text))
        .filter(|u| !u.is_empty())
        .collect();
    (!lines.is_empty()).then(|| lines.join(" "))
}

/// The transaction details of an entry (several in a batch booking).
fn transactions(ntry: &Element) -> impl Iterator<Item = &Element> {
    ntry.children("NtryDtls").flat_map(|d| d.children("TxDtls"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(entries: &str) -> String {
        format!(
            "<?xml version=\"1.0\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">\n<BkToCstmrStmt>\n<Stmt>\n<Acct><Id><IBAN>NL00TEST0000000001</IBAN></Id><Ccy>EUR</Ccy></Acct>\n{entries}</Stmt>\n</BkToCstmrStmt>\n</Document>\n"
        )
    }

    const BOOKED: &str = "<Ntry>\n<Amt Ccy=\"EUR\">12.50</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>\n<BookgDt><Dt>2024-03-01</Dt></BookgDt><AcctSvcrRef>R1</AcctSvcrRef>\n<NtryDtls><TxDtls><RltdPties><Cdtr><Nm>Shop  B.V.</Nm></Cdtr></RltdPties><RmtInf><Ustrd>Invoice 1</Ustrd></RmtInf></TxDtls></NtryDtls>\n</Ntry>\n";
    const PENDING: &str = "<Ntry>\n<Amt Ccy=\"EUR\">99.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>PDNG</Sts>\n<BookgDt><Dt>2024-03-02</Dt></BookgDt>\n</Ntry>\n";

    #[test]
    fn a_booked_entry_is_read() {
        let parsed = parse(&message(BOOKED)).unwrap();
        let s = &parsed.statements[0];
        assert_eq!(
            (s.account.as_deref(), s.currency.as_deref()),
            (Some("NL00TEST0000000001"), Some("EUR"))
        );
        let e = &s.entries[0];
        assert_eq!(e.amount, "-12.50".parse::<Decimal>().unwrap());
        assert_eq!(
            (e.line, e.bank_id.as_deref(), e.payee.as_str()),
            (6, Some("R1"), "Shop B.V.")
        );
        assert_eq!(e.memo.as_deref(), Some("Invoice 1"));
        assert_eq!(e.date.to_string(), "2024-03-01");
    }

    #[test]
    fn pending_entries_are_skipped() {
        let parsed = parse(&message(&format!("{BOOKED}{PENDING}"))).unwrap();
        assert_eq!(parsed.entries().count(), 1);
        assert!(parsed.rejected.is_empty());
    }

    #[test]
    fn a_bad_amount_or_date_is_rejected_with_its_line() {
        let bad = "<Ntry>\n<Amt>1,5</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2024-03-01</Dt></BookgDt></Ntry>\n<Ntry>\n<Amt>1.5</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2024-13-01</Dt></BookgDt></Ntry>\n";
        let parsed = parse(&message(bad)).unwrap();
        let rejected = parsed.rejections();
        assert_eq!(
            rejected,
            vec![
                (6, "amount '1,5' is not a number"),
                (8, "date '2024-13-01' is not a date")
            ]
        );
    }

    #[test]
    fn a_cut_off_message_is_malformed() {
        let text = message(BOOKED);
        let cut = &text[..text.find("<AcctSvcrRef>").unwrap()];
        assert!(matches!(
            parse(cut),
            Err(ParseError::Malformed { line: Some(_), .. })
        ));
        assert!(matches!(
            parse("<Document><BkToCstmrStmt><Stmt></Ntry>"),
            Err(ParseError::Malformed { .. })
        ));
    }

    #[test]
    fn prefixed_names_and_fallbacks_are_read() {
        let text = "<c:Document xmlns:c=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\"><c:BkToCstmrStmt><c:Stmt>\n<c:Acct><c:Id><c:Othr><c:Id>12345</c:Id></c:Othr></c:Id></c:Acct>\n<c:Ntry><c:NtryRef>N1</c:NtryRef><c:Amt Ccy=\"CHF\">3.10</c:Amt><c:CdtDbtInd>CRDT</c:CdtDbtInd><c:Sts><c:Cd>BOOK</c:Cd></c:Sts><c:BookgDt><c:DtTm>2024-05-06T23:30:00+02:00</c:DtTm></c:BookgDt><c:AddtlNtryInf>Interest</c:AddtlNtryInf></c:Ntry>\n</c:Stmt></c:BkToCstmrStmt></c:Document>";
        let parsed = parse(text).unwrap();
        let s = &parsed.statements[0];
        assert_eq!(
            (s.account.as_deref(), s.currency.as_deref()),
            (Some("12345"), Some("CHF"))
        );
        let e = &s.entries[0];
        assert_eq!(
            (e.date.to_string().as_str(), e.bank_id.as_deref()),
            ("2024-05-06", Some("N1"))
        );
        assert_eq!(
            (e.payee.as_str(), e.memo.as_deref(), e.line),
            ("Interest", None, 3)
        );
    }

    #[test]
    fn a_message_without_stmt_holds_no_statement() {
        let text =
            "<Document><BkToCstmrStmt><GrpHdr><MsgId>1</MsgId></GrpHdr></BkToCstmrStmt></Document>";
        assert!(matches!(parse(text), Err(ParseError::NoStatement { .. })));
    }
}
