//! Which column holds what, resolved to positions: from an explicit
//! [`CsvMapping`] or a preset (columns by header name, or by 1-based
//! position when the file has no header), or by generic detection.

use crate::imports::formats::ParseError;
use crate::imports::formats::values::infer_date_order;
use crate::imports::model::{CsvMapping, DateOrder};

use super::table::{Table, date_part};

/// Where the money is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Money {
    /// One signed column; `negate` when it writes money out as positive.
    Signed { column: usize, negate: bool },
    /// Two unsigned columns: money out and money in.
    Split { debit: usize, credit: usize },
}

/// A CSV layout with every column resolved to its 0-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Layout {
    pub date: usize,
    pub date_order: DateOrder,
    pub money: Money,
    /// `None`: decided value by value.
    pub decimal_comma: Option<bool>,
    pub description: Option<usize>,
    /// Purpose or notes columns, joined in this order.
    pub memo: Vec<usize>,
    pub id: Option<usize>,
    pub account: Option<usize>,
    pub currency: Option<usize>,
    /// The currency the header names (`Amount (EUR)`), for rows whose
    /// currency column is empty or absent.
    pub header_currency: Option<String>,
}

impl Layout {
    /// The columns that hold money.
    pub fn money_columns(&self) -> Vec<usize> {
        match self.money {
            Money::Signed { column, .. } => vec![column],
            Money::Split { debit, credit } => vec![debit, credit],
        }
    }

    /// Fills what the values can tell: date order, decimal separator and
    /// the currency a money header names.
    pub fn infer(mut self, table: &Table, date_order: Option<DateOrder>) -> Self {
        self.date_order =
            date_order.unwrap_or_else(|| infer_date_order(table.column(self.date).map(date_part)));
        let money = self.money_columns();
        if self.decimal_comma.is_none() {
            self.decimal_comma = infer_decimal_comma(money.iter().flat_map(|c| table.column(*c)));
        }
        if self.header_currency.is_none() {
            self.header_currency = money
                .iter()
                .find_map(|c| currency_in_header(&table.name(*c)));
        }
        self
    }
}

/// A mapping's columns resolved against the table; `memo` names the
/// purpose columns (a preset's), `None` leaves memo to `detect_memo`.
pub(super) fn resolve(
    mapping: &CsvMapping,
    memo: Option<&[&str]>,
    table: &Table,
    detect_memo: impl FnOnce(&[usize]) -> Vec<usize>,
) -> Result<Layout, ParseError> {
    let find = |name: &str| column(table, name);
    let optional = |name: &Option<String>| name.as_deref().map(find).transpose();
    let date = find(&mapping.date)?;
    let money = match (&mapping.amount, &mapping.debit, &mapping.credit) {
        (Some(amount), _, _) => Money::Signed {
            column: find(amount)?,
            negate: mapping.negate,
        },
        (None, Some(debit), Some(credit)) => Money::Split {
            debit: find(debit)?,
            credit: find(credit)?,
        },
        _ => {
            return Err(missing(
                "the mapping names neither an amount column nor debit and credit columns",
            ));
        }
    };
    let description = (!mapping.description.trim().is_empty())
        .then(|| find(&mapping.description))
        .transpose()?;
    let mut layout = Layout {
        date,
        date_order: DateOrder::MonthDayYear,
        money,
        decimal_comma: mapping.decimal_comma,
        description,
        memo: Vec::new(),
        id: optional(&mapping.id)?,
        account: optional(&mapping.account)?,
        currency: optional(&mapping.currency)?,
        header_currency: None,
    };
    layout.memo = match memo {
        Some(names) => names.iter().filter_map(|n| find(n).ok()).collect(),
        None => detect_memo(&used(&layout)),
    };
    Ok(layout.infer(table, mapping.date_order))
}

/// Every column the layout already reads.
pub(super) fn used(layout: &Layout) -> Vec<usize> {
    let mut used = vec![layout.date];
    used.extend(layout.money_columns());
    used.extend(
        [
            layout.description,
            layout.id,
            layout.account,
            layout.currency,
        ]
        .into_iter()
        .flatten(),
    );
    used
}

/// A column by header name (case-insensitive), or by 1-based position.
fn column(table: &Table, name: &str) -> Result<usize, ParseError> {
    let wanted = name.trim().to_lowercase();
    if let Some(header) = &table.header
        && let Some(at) = header.iter().position(|h| h.to_lowercase() == wanted)
    {
        return Ok(at);
    }
    match wanted.parse::<usize>() {
        Ok(n) if (1..=table.width).contains(&n) => Ok(n - 1),
        _ => Err(missing(&format!(
            "the file has no column '{}'",
            name.trim()
        ))),
    }
}

/// A layout that cannot be built: say what is missing and what to do.
pub(super) fn missing(what: &str) -> ParseError {
    ParseError::malformed(
        None,
        format!(
            "{what}; give an explicit column mapping (columns by header name, or 1-based position)"
        ),
    )
}

/// `1.234,56`, `-98,76` anywhere in the column: decimal comma;
/// `1,234.56`, `12.5`: decimal point; nothing telling: `None`.
fn infer_decimal_comma<'a>(values: impl Iterator<Item = &'a str>) -> Option<bool> {
    let mut verdict = None;
    for raw in values {
        let (comma, dot) = (raw.rfind(','), raw.rfind('.'));
        let decimals = |at: usize| {
            let tail = raw[at + 1..].trim_end_matches(|c: char| !c.is_ascii_digit());
            (1..=2).contains(&tail.len()) && tail.chars().all(|c| c.is_ascii_digit())
        };
        let this = match (comma, dot) {
            (Some(c), Some(d)) => Some(c > d),
            (Some(c), None) if raw.matches(',').count() == 1 && decimals(c) => Some(true),
            (None, Some(d)) if raw.matches('.').count() == 1 && decimals(d) => Some(false),
            _ => None,
        };
        if this == Some(true) {
            return Some(true);
        }
        verdict = verdict.or(this);
    }
    verdict
}

/// `Amount (EUR)`, `Betrag [CHF]`: the ISO code a header names.
fn currency_in_header(name: &str) -> Option<String> {
    name.split(['(', ')', '[', ']'])
        .skip(1)
        .step_by(2)
        .map(str::trim)
        .find(|code| code.len() == 3 && code.chars().all(|c| c.is_ascii_alphabetic()))
        .map(str::to_ascii_uppercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_decimal_separator_is_read_from_the_column() {
        assert_eq!(
            infer_decimal_comma(["100,00", "-63,89"].into_iter()),
            Some(true)
        );
        assert_eq!(
            infer_decimal_comma(["1.234", "-98,76"].into_iter()),
            Some(true)
        );
        assert_eq!(
            infer_decimal_comma(["$1,036.47", "12"].into_iter()),
            Some(false)
        );
        assert_eq!(infer_decimal_comma(["100", "120"].into_iter()), None);
    }

    #[test]
    fn a_header_can_name_the_currency() {
        assert_eq!(currency_in_header("amount (eur)"), Some("EUR".to_owned()));
        assert_eq!(currency_in_header("betrag [chf]"), Some("CHF".to_owned()));
        assert_eq!(currency_in_header("amount"), None);
        assert_eq!(currency_in_header("amount (foreign currency)"), None);
    }
}
