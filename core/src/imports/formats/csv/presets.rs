//! Known bank layouts, recognised by their header. Only layouts whose
//! columns and sign convention are certain are listed: a wrong preset
//! reads every row wrong, where generic detection would read it right.

use crate::imports::model::{CsvMapping, DateOrder};

/// One bank's CSV layout.
pub(super) struct Preset {
    pub name: &'static str,
    /// Header names (case-insensitive) that must all be present.
    pub signature: &'static [&'static str],
    pub date: &'static str,
    pub date_order: Option<DateOrder>,
    pub description: &'static str,
    pub amount: Option<&'static str>,
    pub debit: Option<&'static str>,
    pub credit: Option<&'static str>,
    pub id: Option<&'static str>,
    pub currency: Option<&'static str>,
    pub account: Option<&'static str>,
    /// Purpose or notes columns, joined into the memo.
    pub memo: &'static [&'static str],
    pub negate: bool,
    pub decimal_comma: Option<bool>,
}

impl Preset {
    /// The preset as a mapping (its memo columns aside).
    pub fn mapping(&self) -> CsvMapping {
        let own = |s: Option<&str>| s.map(str::to_owned);
        CsvMapping {
            date: self.date.to_owned(),
            date_order: self.date_order,
            description: self.description.to_owned(),
            amount: own(self.amount),
            debit: own(self.debit),
            credit: own(self.credit),
            id: own(self.id),
            currency: own(self.currency),
            account: own(self.account),
            negate: self.negate,
            decimal_comma: self.decimal_comma,
        }
    }
}

/// Nothing mapped: the base the presets fill in.
const BLANK: Preset = Preset {
    name: "",
    signature: &[],
    date: "",
    date_order: None,
    description: "",
    amount: None,
    debit: None,
    credit: None,
    id: None,
    currency: None,
    account: None,
    memo: &[],
    negate: false,
    decimal_comma: None,
};

/// Date orders, short for the table.
const MDY: Option<DateOrder> = Some(DateOrder::MonthDayYear);
const DMY: Option<DateOrder> = Some(DateOrder::DayMonthYear);
const YMD: Option<DateOrder> = Some(DateOrder::YearMonthDay);

/// The GLS purpose lines VWZ1..VWZ14.
const GLS_PURPOSE: &[&str] = &[
    "VWZ1", "VWZ2", "VWZ3", "VWZ4", "VWZ5", "VWZ6", "VWZ7", "VWZ8", "VWZ9", "VWZ10", "VWZ11",
    "VWZ12", "VWZ13", "VWZ14",
];

/// Most specific first: the first whose signature the header has wins.
pub(super) const PRESETS: &[Preset] = &[
    Preset {
        name: "GLS Bank",
        signature: &[
            "Kontonummer",
            "Buchungstag",
            "Auftraggeber/Empfänger",
            "VWZ1",
            "Betrag",
            "Währung",
        ],
        date: "Buchungstag",
        date_order: DMY,
        description: "Auftraggeber/Empfänger",
        amount: Some("Betrag"),
        currency: Some("Währung"),
        account: Some("Kontonummer"),
        memo: GLS_PURPOSE,
        decimal_comma: Some(true),
        ..BLANK
    },
    Preset {
        name: "Outbank",
        signature: &[
            "#",
            "Account",
            "Date",
            "Value Date",
            "Amount",
            "Currency",
            "Name",
            "Reason",
            "SEPA Reference",
        ],
        date: "Date",
        date_order: MDY,
        description: "Name",
        amount: Some("Amount"),
        currency: Some("Currency"),
        account: Some("Account"),
        memo: &["Reason"],
        decimal_comma: Some(true),
        ..BLANK
    },
    Preset {
        name: "Payoneer",
        signature: &[
            "Transaction Date",
            "Transaction ID",
            "Description",
            "Credit Amount",
            "Debit Amount",
            "Currency",
        ],
        date: "Transaction Date",
        date_order: MDY,
        description: "Description",
        debit: Some("Debit Amount"),
        credit: Some("Credit Amount"),
        id: Some("Transaction ID"),
        currency: Some("Currency"),
        memo: &["Additional Description"],
        ..BLANK
    },
    Preset {
        name: "Capital One",
        signature: &[
            "Transaction Date",
            "Posted Date",
            "Card No.",
            "Description",
            "Category",
            "Debit",
            "Credit",
        ],
        date: "Transaction Date",
        description: "Description",
        debit: Some("Debit"),
        credit: Some("Credit"),
        account: Some("Card No."),
        ..BLANK
    },
    Preset {
        name: "PC Financial Mastercard",
        signature: &[
            "Merchant Name",
            "Card Used For Transaction",
            "Date",
            "Time",
            "Amount",
        ],
        date: "Date",
        date_order: MDY,
        description: "Merchant Name",
        amount: Some("Amount"),
        account: Some("Card Used For Transaction"),
        negate: true,
        ..BLANK
    },
    Preset {
        name: "N26",
        signature: &[
            "Booking Date",
            "Value Date",
            "Partner Name",
            "Partner Iban",
            "Payment Reference",
            "Amount (EUR)",
        ],
        date: "Booking Date",
        date_order: YMD,
        description: "Partner Name",
        amount: Some("Amount (EUR)"),
        memo: &["Payment Reference"],
        ..BLANK
    },
    Preset {
        name: "Schwab checking",
        signature: &[
            "Date",
            "Status",
            "Type",
            "CheckNumber",
            "Description",
            "Withdrawal",
            "Deposit",
            "RunningBalance",
        ],
        date: "Date",
        date_order: MDY,
        description: "Description",
        debit: Some("Withdrawal"),
        credit: Some("Deposit"),
        ..BLANK
    },
    Preset {
        name: "ING Spain",
        signature: &[
            "date",
            "class",
            "subcategory",
            "desc",
            "notes",
            "image",
            "amount",
            "balance",
        ],
        date: "date",
        date_order: DMY,
        description: "desc",
        amount: Some("amount"),
        memo: &["notes"],
        ..BLANK
    },
    Preset {
        name: "Chase credit card",
        signature: &[
            "Transaction Date",
            "Post Date",
            "Description",
            "Category",
            "Type",
            "Amount",
            "Memo",
        ],
        date: "Transaction Date",
        date_order: MDY,
        description: "Description",
        amount: Some("Amount"),
        memo: &["Memo"],
        ..BLANK
    },
    Preset {
        name: "Chase checking",
        signature: &[
            "Details",
            "Posting Date",
            "Description",
            "Amount",
            "Type",
            "Balance",
            "Check or Slip #",
        ],
        date: "Posting Date",
        date_order: MDY,
        description: "Description",
        amount: Some("Amount"),
        ..BLANK
    },
    Preset {
        name: "American Express (card member)",
        signature: &["Date", "Description", "Card Member", "Account #", "Amount"],
        date: "Date",
        date_order: MDY,
        description: "Description",
        amount: Some("Amount"),
        account: Some("Account #"),
        memo: &["Extended Details"],
        negate: true,
        ..BLANK
    },
    Preset {
        name: "American Express",
        signature: &[
            "Date",
            "Description",
            "Amount",
            "Extended Details",
            "Appears On Your Statement As",
        ],
        date: "Date",
        date_order: MDY,
        description: "Description",
        amount: Some("Amount"),
        memo: &["Extended Details"],
        negate: true,
        ..BLANK
    },
];

/// The first preset whose signature the header holds.
pub(super) fn find(header: &[String]) -> Option<&'static Preset> {
    let names: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    PRESETS.iter().find(|p| {
        p.signature
            .iter()
            .all(|s| names.contains(&s.to_lowercase()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &str) -> Vec<String> {
        names.split(',').map(str::to_owned).collect()
    }

    #[test]
    fn a_header_finds_its_preset() {
        let chase = header("Transaction Date,Post Date,Description,Category,Type,Amount,Memo");
        assert_eq!(find(&chase).map(|p| p.name), Some("Chase credit card"));
        let capital_one =
            header("transaction date,posted date,card no.,description,category,debit,credit");
        assert_eq!(find(&capital_one).map(|p| p.name), Some("Capital One"));
        assert!(find(&header("Date,Payee,Amount")).is_none());
    }

    #[test]
    fn every_preset_maps_columns_of_its_own_signature() {
        for preset in PRESETS {
            let sig: Vec<String> = preset.signature.iter().map(|s| s.to_lowercase()).collect();
            let m = preset.mapping();
            let named = [
                Some(&m.date),
                Some(&m.description),
                m.amount.as_ref(),
                m.debit.as_ref(),
                m.credit.as_ref(),
                m.id.as_ref(),
                m.currency.as_ref(),
                m.account.as_ref(),
            ];
            for name in named.into_iter().flatten() {
                assert!(
                    sig.contains(&name.to_lowercase()),
                    "{}: {name}",
                    preset.name
                );
            }
        }
    }
}
