//! Reading the rows of a table by its layout: one entry per row, or a
//! rejection saying why; entries grouped into one statement per account
//! (and currency).

use rust_decimal::Decimal;

use crate::imports::formats::values::{clean_text, decode_entities, parse_date};
use crate::imports::model::{Entry, RejectedRow, Statement};

use super::layout::{Layout, Money};
use super::table::{Row, Table, amount as cell_amount, date_part};

/// The statements and rejections of a table.
pub(super) fn read(table: &Table, layout: &Layout) -> (Vec<Statement>, Vec<RejectedRow>) {
    let mut statements: Vec<Statement> = Vec::new();
    let mut rejected = Vec::new();
    for row in &table.rows {
        match entry(row, layout) {
            Ok(entry) => {
                let account = non_empty(row, layout.account);
                let currency = non_empty(row, layout.currency)
                    .map(|c| c.to_ascii_uppercase())
                    .filter(|c| c.len() == 3 && c.chars().all(|c| c.is_ascii_uppercase()))
                    .or_else(|| layout.header_currency.clone());
                match statements
                    .iter_mut()
                    .find(|s| s.account == account && s.currency == currency)
                {
                    Some(statement) => statement.entries.push(entry),
                    None => statements.push(Statement {
                        account,
                        currency,
                        entries: vec![entry],
                    }),
                }
            }
            Err(reason) => rejected.push(RejectedRow {
                line: row.line,
                reason,
            }),
        }
    }
    (statements, rejected)
}

/// The trimmed value of an optional column; `None` when empty.
fn non_empty(row: &Row, column: Option<usize>) -> Option<String> {
    column
        .map(|c| row.get(c))
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// One row as an entry, or why it cannot be one.
fn entry(row: &Row, layout: &Layout) -> Result<Entry, String> {
    let raw_date = row.get(layout.date);
    if raw_date.is_empty() {
        return Err("date is empty".to_owned());
    }
    let date = parse_date(date_part(raw_date), layout.date_order)
        .ok_or_else(|| format!("date '{raw_date}' is not a date"))?;
    let amount = amount(row, layout)?;
    let memo: Vec<String> = layout
        .memo
        .iter()
        .map(|c| text(row.get(*c)))
        .filter(|m| !m.is_empty())
        .collect();
    Ok(Entry {
        line: row.line,
        bank_id: non_empty(row, layout.id),
        date,
        amount,
        payee: layout
            .description
            .map(|c| text(row.get(c)))
            .unwrap_or_default(),
        memo: (!memo.is_empty()).then(|| memo.join(" ")),
    })
}

/// A text cell as a person reads it (some exports escape `&` as `&amp;`).
fn text(raw: &str) -> String {
    clean_text(&decode_entities(raw))
}

/// The signed amount: money in positive, money out negative.
fn amount(row: &Row, layout: &Layout) -> Result<Decimal, String> {
    let read = |raw: &str| cell_amount(raw, layout.decimal_comma);
    match layout.money {
        Money::Signed { column, negate } => {
            let raw = row.get(column);
            if raw.is_empty() {
                return Err("amount is empty".to_owned());
            }
            let value = read(raw)?;
            Ok(if negate { -value } else { value })
        }
        Money::Split { debit, credit } => {
            let (out, into) = (row.get(debit), row.get(credit));
            if out.is_empty() && into.is_empty() {
                return Err("neither debit nor credit is filled".to_owned());
            }
            let part = |raw: &str| {
                if raw.is_empty() {
                    Ok(Decimal::ZERO)
                } else {
                    read(raw).map(|v| v.abs())
                }
            };
            Ok(part(into)? - part(out)?)
        }
    }
}
