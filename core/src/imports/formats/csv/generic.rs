//! Finding the columns of a layout no preset knows, from header words
//! (in the languages of the banks Moneta meets) and from the values.

use crate::imports::formats::ParseError;
use crate::imports::formats::values::{infer_date_order, parse_date};

use super::layout::{Layout, Money, missing, used};
use super::table::{Table, amount, date_part};

/// Header words of a date column.
const DATE_WORDS: &[&str] = &[
    "date",
    "datum",
    "fecha",
    "data",
    "day",
    "buchungstag",
    "wertstellung",
    "valuta",
];
/// Header words of a signed amount column.
const AMOUNT_WORDS: &[&str] = &[
    "amount", "amt", "betrag", "montant", "importe", "importo", "bedrag", "value", "valor",
];
/// Header words of a running balance: never the amount.
const BALANCE_WORDS: &[&str] = &["balance", "bal", "saldo", "kontostand", "solde"];
/// Header words of a money-out column.
const DEBIT_WORDS: &[&str] = &[
    "debit",
    "debits",
    "withdrawal",
    "withdrawals",
    "out",
    "soll",
    "débit",
    "debe",
    "cargo",
];
/// Header words of a money-in column.
const CREDIT_WORDS: &[&str] = &[
    "credit", "credits", "deposit", "deposits", "in", "haben", "crédit", "haber", "abono",
];
/// Payee-like words first: the first word any header has wins.
const DESCRIPTION_WORDS: &[&str] = &[
    "payee",
    "merchant",
    "beneficiary",
    "counterparty",
    "empfänger",
    "auftraggeber",
    "partner",
    "description",
    "desc",
    "beschreibung",
    "libellé",
    "libelle",
    "concepto",
    "omschrijving",
    "narrative",
    "particulars",
    "details",
    "name",
    "memo",
    "buchungstext",
    "text",
];
/// Header words of a notes or purpose column.
const MEMO_WORDS: &[&str] = &[
    "memo",
    "notes",
    "note",
    "purpose",
    "reason",
    "verwendungszweck",
    "remarks",
    "comment",
    "reference",
    "mitteilung",
];
/// Whole header names only: words alone are too loose here
/// (`Partner Iban` is the other party's, `Account Name` a label).
const ACCOUNT_NAMES: &[&str] = &[
    "account",
    "account number",
    "account no",
    "account no.",
    "account #",
    "konto",
    "kontonummer",
    "iban",
    "card",
    "card no",
    "card no.",
    "card number",
];
/// Whole header names of a currency column.
const CURRENCY_NAMES: &[&str] = &[
    "currency",
    "currency code",
    "ccy",
    "währung",
    "waehrung",
    "devise",
    "moneda",
];
/// Whole header names of a bank id column.
const ID_NAMES: &[&str] = &["transaction id", "fitid"];
/// Words of counters and numbers that read as amounts but are not.
const NUMBER_WORDS: &[&str] = &[
    "id",
    "no",
    "nr",
    "number",
    "ref",
    "reference",
    "check",
    "cheque",
    "count",
];

/// The header's words, lower case.
fn words(name: &str) -> Vec<String> {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Whether the header of `column` has one of the words.
fn has_word(table: &Table, column: usize, list: &[&str]) -> bool {
    words(&table.name(column))
        .iter()
        .any(|w| list.contains(&w.as_str()))
}

/// The layout found from the header and values.
pub(super) fn detect(table: &Table) -> Result<Layout, ParseError> {
    let date = date_column(table)
        .ok_or_else(|| missing("no date column found (no column whose values are dates)"))?;
    let money = money(table, date).ok_or_else(|| {
        missing("no amount column found (no amount, debit and credit, or numeric column)")
    })?;
    let exact = |list: &[&str]| (0..table.width).find(|c| list.contains(&table.name(*c).trim()));
    let mut layout = Layout {
        date,
        date_order: infer_date_order(table.column(date).map(date_part)),
        money,
        decimal_comma: None,
        description: None,
        memo: Vec::new(),
        id: exact(ID_NAMES),
        account: exact(ACCOUNT_NAMES),
        currency: exact(CURRENCY_NAMES),
        header_currency: None,
    };
    layout.description = description(table, &used(&layout));
    layout.memo = memo(table, &used(&layout));
    Ok(layout.infer(table, None))
}

/// How many of a column's non-empty values pass `test`, of how many.
fn score(table: &Table, column: usize, test: impl Fn(&str) -> bool) -> (usize, usize) {
    table
        .column(column)
        .filter(|v| !v.is_empty())
        .fold((0, 0), |(ok, all), v| (ok + usize::from(test(v)), all + 1))
}

/// The first column whose values are all dates (or, under a date
/// header, mostly dates: a bad row is rejected, not a reason to miss it).
fn date_column(table: &Table) -> Option<usize> {
    (0..table.width).find(|c| {
        let order = infer_date_order(table.column(*c).map(date_part));
        let (ok, all) = score(table, *c, |v| parse_date(date_part(v), order).is_some());
        all > 0 && (ok == all || has_word(table, *c, DATE_WORDS) && ok * 2 >= all)
    })
}

/// Whether a column reads as money: all non-empty values (most, under a
/// money header) are amounts; empty columns qualify only when named.
fn is_money(table: &Table, column: usize, named: bool) -> bool {
    let (ok, all) = score(table, column, |v| amount(v, None).is_ok());
    if named {
        ok * 2 >= all
    } else {
        all > 0 && ok == all
    }
}

/// Debit and credit columns, else one amount column by name, else the
/// first numeric column that is not a balance or counter.
fn money(table: &Table, date: usize) -> Option<Money> {
    let candidates: Vec<usize> = (0..table.width)
        .filter(|c| {
            *c != date && !has_word(table, *c, BALANCE_WORDS) && !has_word(table, *c, DATE_WORDS)
        })
        .collect();
    let named = |list: &[&str], other: &[&str]| {
        candidates.iter().copied().find(|c| {
            has_word(table, *c, list) && !has_word(table, *c, other) && is_money(table, *c, true)
        })
    };
    if let (Some(debit), Some(credit)) = (
        named(DEBIT_WORDS, CREDIT_WORDS),
        named(CREDIT_WORDS, DEBIT_WORDS),
    ) {
        return Some(Money::Split { debit, credit });
    }
    let by_name = candidates.iter().copied().find(|c| {
        has_word(table, *c, AMOUNT_WORDS)
            && score(table, *c, |_| true).1 > 0
            && is_money(table, *c, true)
    });
    let by_value = || {
        let numeric: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|c| !has_word(table, *c, NUMBER_WORDS) && !table.name(*c).contains('#'))
            .filter(|c| is_money(table, *c, false))
            .collect();
        let decimal = |c: &usize| table.column(*c).any(|v| v.contains(['.', ',']));
        numeric
            .iter()
            .copied()
            .find(decimal)
            .or_else(|| numeric.first().copied())
    };
    by_name.or_else(by_value).map(|column| Money::Signed {
        column,
        negate: false,
    })
}

/// A payee-like column by header word, else the longest text column.
fn description(table: &Table, used: &[usize]) -> Option<usize> {
    let free: Vec<usize> = (0..table.width).filter(|c| !used.contains(c)).collect();
    let by_word = DESCRIPTION_WORDS.iter().find_map(|word| {
        free.iter()
            .copied()
            .find(|c| words(&table.name(*c)).iter().any(|w| w == word))
    });
    by_word.or_else(|| {
        let length = |c: usize| table.column(c).map(|v| v.chars().count()).sum::<usize>();
        free.iter()
            .copied()
            .filter(|c| score(table, *c, |v| amount(v, None).is_err()).0 > 0)
            .max_by_key(|c| (length(*c), std::cmp::Reverse(*c)))
    })
}

/// A notes or purpose column the layout does not read otherwise.
fn memo(table: &Table, used: &[usize]) -> Vec<usize> {
    (0..table.width)
        .filter(|c| !used.contains(c) && has_word(table, *c, MEMO_WORDS))
        .take(1)
        .collect()
}
