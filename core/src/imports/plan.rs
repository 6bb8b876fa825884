//! From what a file says to what the pipeline applies: per statement, the
//! entries as [`ProviderTransaction`]s with their ids, in Moneta's sign
//! (money spent is positive), and the entries that cannot be money.

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use rust_decimal::Decimal;

use super::identity::{RepeatedId, provider_ids};
use super::model::{Entry, Format, ParsedFile, RejectedRow, Statement};
use crate::institutions::ProviderTransaction;
use crate::money::Money;

/// One statement of the file, ready to apply.
#[derive(Debug, Clone)]
pub struct PlannedStatement {
    /// The account as the file names it.
    pub account: Option<String>,
    pub currency: Option<String>,
    pub transactions: Vec<ProviderTransaction>,
    pub repeated_ids: Vec<RepeatedId>,
}

/// The whole file, planned.
#[derive(Debug, Clone)]
pub struct Plan {
    pub format: Format,
    pub statements: Vec<PlannedStatement>,
    pub rejected: Vec<RejectedRow>,
}

impl Plan {
    pub fn transactions(&self) -> usize {
        self.statements.iter().map(|s| s.transactions.len()).sum()
    }
}

/// Plans `file`: entries whose amount has more than two decimal places or
/// does not fit are rejected like unreadable rows.
pub fn plan(file: ParsedFile) -> Plan {
    let mut rejected = file.rejected;
    let statements = file
        .statements
        .into_iter()
        .map(|statement| plan_statement(statement, &mut rejected))
        .collect();
    rejected.sort_by_key(|r| r.line);
    Plan {
        format: file.format,
        statements,
        rejected,
    }
}

fn plan_statement(statement: Statement, rejected: &mut Vec<RejectedRow>) -> PlannedStatement {
    let mut money = Vec::with_capacity(statement.entries.len());
    let mut kept: Vec<Entry> = Vec::with_capacity(statement.entries.len());
    for entry in statement.entries {
        match spent(entry.amount) {
            Ok(amount) => {
                money.push(amount);
                kept.push(entry);
            }
            Err(reason) => rejected.push(RejectedRow {
                line: entry.line,
                reason,
            }),
        }
    }
    let (ids, repeated_ids) = provider_ids(&kept);
    let transactions = kept
        .into_iter()
        .zip(ids)
        .zip(money)
        .map(|((entry, provider_id), amount)| ProviderTransaction {
            provider_id,
            pending: false,
            pending_transaction_id: None,
            posted_at: noon(entry.date),
            seller: seller(&entry),
            amount,
            transfer_hint: false,
        })
        .collect();
    PlannedStatement {
        account: statement.account,
        currency: statement.currency,
        transactions,
        repeated_ids,
    }
}

/// The file's amount (money in positive) as Moneta's (money spent
/// positive), in cents; never rounded.
fn spent(amount: Decimal) -> Result<Money, String> {
    let normalized = amount.normalize();
    if normalized.scale() > 2 {
        return Err(format!(
            "amount '{amount}' has more than two decimal places"
        ));
    }
    let cents = normalized
        .checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|c| i64::try_from(c.trunc()).ok())
        .filter(|c| c.unsigned_abs() <= crate::money::MAX_AMOUNT.cents().unsigned_abs() * 10)
        .ok_or_else(|| format!("amount '{amount}' is too large"))?;
    Ok(Money::from_cents(-cents))
}

/// A booking date has no time: noon UTC keeps it on its date (and in its
/// month) wherever the user is.
fn noon(date: NaiveDate) -> chrono::DateTime<Utc> {
    Utc.from_utc_datetime(&date.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default()))
}

/// The seller as the pipeline categorizes it: the payee, else the memo.
fn seller(entry: &Entry) -> String {
    if entry.payee.trim().is_empty() {
        entry.memo.clone().unwrap_or_default()
    } else {
        entry.payee.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(amounts: &[&str]) -> ParsedFile {
        let entries = amounts
            .iter()
            .enumerate()
            .map(|(i, a)| Entry {
                line: i as u32 + 1,
                bank_id: None,
                date: NaiveDate::from_ymd_opt(2024, 1, 31).unwrap(),
                amount: a.parse().unwrap(),
                payee: String::new(),
                memo: Some("memo only".into()),
            })
            .collect();
        ParsedFile {
            format: Format::Csv,
            statements: vec![Statement {
                account: None,
                currency: Some("EUR".into()),
                entries,
            }],
            rejected: vec![],
        }
    }

    #[test]
    fn outflows_become_spending_in_cents_on_their_date() {
        let plan = plan(file(&["-12.34", "100", "0.5"]));
        let t = &plan.statements[0].transactions;
        assert_eq!(
            t.iter().map(|t| t.amount.cents()).collect::<Vec<_>>(),
            [1234, -10000, -50]
        );
        assert_eq!(t[0].posted_at.date_naive().to_string(), "2024-01-31");
        assert_eq!(t[0].seller, "memo only");
        assert!(plan.rejected.is_empty());
    }

    #[test]
    fn sub_cent_and_huge_amounts_are_rejected_not_rounded() {
        let plan = plan(file(&["-1.005", "-5", "99999999999999"]));
        assert_eq!(plan.transactions(), 1);
        assert_eq!(
            plan.rejected.iter().map(|r| r.line).collect::<Vec<_>>(),
            [1, 3]
        );
        assert!(plan.rejected[0].reason.contains("1.005"));
    }
}
