//! How a page moves the user's monthly totals: what the rows it touches
//! contributed before it, taken away, and what they contribute after it,
//! added — computed from the rows as stored before the page, the way the
//! page's upserts and deletes will change them.

use std::collections::{HashMap, HashSet};

use crate::categories::Category;
use crate::error::InternalError;
use crate::institutions::{ProviderTransaction, SyncPage};
use crate::money::Money;
use crate::month::Month;
use crate::spending::Deltas;

/// A stored transaction of the account, as the totals count it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub month: Month,
    /// The category that counts: the user's override, else the computed one.
    pub category: Category,
    pub amount: Money,
}

/// The totals' movement when `page` is applied: its added and modified
/// transactions upserted in order (a row already stored keeps its
/// category, computed and overridden alike; a new one takes its override
/// carried from the pending transaction it replaces, else `computed`),
/// then its removed ones deleted. `stored` gives the account's rows, by
/// provider id, as they were before the page (at least every one the page
/// names). `carried` is the override a new row gets, if any.
pub fn deltas<'a>(
    page: &SyncPage,
    computed: &[Category],
    carried: impl Fn(&ProviderTransaction) -> Option<Category>,
    stored: impl Fn(&str) -> Option<&'a Stored>,
) -> Deltas {
    let changed = page.added.iter().chain(&page.modified);
    let touched: HashSet<&str> = changed
        .clone()
        .map(|t| t.provider_id.as_str())
        .chain(page.removed.iter().map(String::as_str))
        .collect();
    let mut deltas = Deltas::new();
    for row in touched.iter().filter_map(|id| stored(id)) {
        *deltas.entry((row.month, row.category)).or_default() += -row.amount;
    }
    let mut after: HashMap<&str, Stored> = HashMap::new();
    for (t, &category) in changed.zip(computed) {
        let id = t.provider_id.as_str();
        // Stored before the page, or inserted earlier in it.
        let kept = after.get(id).or_else(|| stored(id)).map(|row| row.category);
        let category = kept.or_else(|| carried(t)).unwrap_or(category);
        after.insert(
            id,
            Stored {
                month: Month::of(t.posted_at),
                category,
                amount: t.amount,
            },
        );
    }
    for id in &page.removed {
        after.remove(id.as_str());
    }
    for row in after.values() {
        *deltas.entry((row.month, row.category)).or_default() += row.amount;
    }
    deltas.retain(|_, delta| *delta != Money::ZERO);
    deltas
}

/// A category as a row stores it (`FOOD`); anything else is corrupt.
pub fn stored_category(stored: &str) -> Result<Category, InternalError> {
    Ok(stored.parse()?)
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone as _, Utc};

    use super::*;

    fn tx(id: &str, day: u32, cents: i64) -> ProviderTransaction {
        ProviderTransaction {
            provider_id: id.to_owned(),
            pending: false,
            pending_transaction_id: None,
            posted_at: Utc
                .with_ymd_and_hms(2026, 11, day, 12, 0, 0)
                .single()
                .unwrap(),
            seller: "SELLER".to_owned(),
            amount: Money::from_cents(cents),
            transfer_hint: false,
        }
    }

    fn stored(month: i32, category: Category, cents: i64) -> Stored {
        Stored {
            month: Month::from_int(month).unwrap(),
            category,
            amount: Money::from_cents(cents),
        }
    }

    fn cell(month: i32, category: Category, cents: i64) -> ((Month, Category), Money) {
        (
            (Month::from_int(month).unwrap(), category),
            Money::from_cents(cents),
        )
    }

    fn none(_: &ProviderTransaction) -> Option<Category> {
        None
    }

    #[test]
    fn new_rows_add_their_amounts_under_their_computed_category() {
        let page = SyncPage {
            added: vec![tx("a", 3, 1_000), tx("b", 4, 250), tx("c", 5, -400)],
            ..SyncPage::default()
        };
        let computed = [Category::Food, Category::Food, Category::Shopping];
        let got = deltas(&page, &computed, none, |_| None);
        assert_eq!(
            got,
            Deltas::from([
                cell(202611, Category::Food, 1_250),
                cell(202611, Category::Shopping, -400)
            ])
        );
    }

    #[test]
    fn a_modified_row_moves_by_the_difference_and_keeps_its_stored_category() {
        let mut changed = tx("a", 3, 1_500);
        changed.posted_at = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).single().unwrap();
        let page = SyncPage {
            modified: vec![changed],
            ..SyncPage::default()
        };
        // The user filed it under TRAVEL; the categorizer now says FOOD.
        let before = HashMap::from([("a".to_owned(), stored(202611, Category::Travel, 1_000))]);
        let got = deltas(&page, &[Category::Food], none, |id| before.get(id));
        assert_eq!(
            got,
            Deltas::from([
                cell(202611, Category::Travel, -1_000),
                cell(202612, Category::Travel, 1_500)
            ])
        );
    }

    #[test]
    fn a_posted_row_replacing_its_pending_one_counts_once_with_the_carried_override() {
        let mut posted = tx("p1", 4, 1_200);
        posted.pending_transaction_id = Some("pend1".to_owned());
        let page = SyncPage {
            added: vec![posted],
            removed: vec!["pend1".to_owned()],
            ..SyncPage::default()
        };
        let before = HashMap::from([("pend1".to_owned(), stored(202611, Category::Travel, 1_000))]);
        let carried = |t: &ProviderTransaction| {
            (t.pending_transaction_id.as_deref() == Some("pend1")).then_some(Category::Travel)
        };
        let got = deltas(&page, &[Category::Food], carried, |id| before.get(id));
        assert_eq!(got, Deltas::from([cell(202611, Category::Travel, 200)]));
    }

    #[test]
    fn a_page_applied_again_moves_nothing() {
        let page = SyncPage {
            added: vec![tx("a", 3, 1_000)],
            ..SyncPage::default()
        };
        let before = HashMap::from([("a".to_owned(), stored(202611, Category::Food, 1_000))]);
        assert!(deltas(&page, &[Category::Shopping], none, |id| before.get(id)).is_empty());
    }

    #[test]
    fn a_removed_row_is_taken_away_and_an_unknown_removal_changes_nothing() {
        let page = SyncPage {
            removed: vec!["a".to_owned(), "never-seen".to_owned()],
            ..SyncPage::default()
        };
        let before = HashMap::from([("a".to_owned(), stored(202610, Category::Utilities, 9_000))]);
        assert_eq!(
            deltas(&page, &[], none, |id| before.get(id)),
            Deltas::from([cell(202610, Category::Utilities, -9_000)])
        );
    }

    #[test]
    fn the_same_id_twice_in_a_page_counts_its_last_version_under_its_first_category() {
        let page = SyncPage {
            added: vec![tx("a", 3, 1_000)],
            modified: vec![tx("a", 3, 700)],
            ..SyncPage::default()
        };
        let got = deltas(&page, &[Category::Food, Category::Shopping], none, |_| None);
        assert_eq!(got, Deltas::from([cell(202611, Category::Food, 700)]));
    }

    #[test]
    fn added_and_removed_in_one_page_leaves_no_trace() {
        let page = SyncPage {
            added: vec![tx("a", 3, 1_000)],
            removed: vec!["a".to_owned()],
            ..SyncPage::default()
        };
        assert!(deltas(&page, &[Category::Food], none, |_| None).is_empty());
    }

    #[test]
    fn a_stored_category_that_is_not_a_category_is_corrupt() {
        assert_eq!(stored_category("TRAVEL").unwrap(), Category::Travel);
        assert!(matches!(
            stored_category("NOPE"),
            Err(InternalError::Corrupt(_))
        ));
    }
}
