//! "0 lost, 0 duplicated, 0 stale": what must hold of a database once
//! every sync is done, however often its workers died — checked against
//! the sandbox's own view of each login (a clean run of the same logins).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

use moneta_core::UserId;
use moneta_core::budget::{AlertLevel, compute_budget};
use moneta_core::clock::SystemClock;
use moneta_core::institutions::ProviderTransaction;
use moneta_core::month::Month;
use moneta_entities::{accounts, monthly_spending, notifications, spending_changes, transactions};
use sea_orm::{
    ColumnTrait as _, DatabaseConnection, EntityTrait as _, PaginatorTrait as _, QueryFilter as _,
};

use moneta_core::institutions::sandbox::SandboxShape;

use super::sandbox::ground_truth_shaped;

/// The figures a crash or chaos test prints and asserts on.
#[derive(Debug, Default)]
pub struct Figures {
    pub accounts: usize,
    /// Accounts not ACTIVE: (account id, status).
    pub not_active: Vec<(i64, String)>,
    /// Transactions a clean run stores.
    pub expected: usize,
    pub stored: usize,
    /// In the clean run, not stored.
    pub lost: usize,
    /// Stored, not in the clean run (e.g. a pending kept beside its posted
    /// transaction): counted twice.
    pub duplicated: usize,
    /// Stored with another amount, date or pending flag than the clean run.
    pub differing: usize,
    /// (user, month, category) cells where `monthly_spending` is not the
    /// sum of the transactions.
    pub stale_cells: usize,
    /// Budget alerts the final spending implies that are not stored once.
    pub missing_alerts: usize,
    /// Budget alerts the final spending implies (the ones checked).
    pub implied_alerts: usize,
    /// Follow-up records not yet settled.
    pub unsettled: u64,
}

impl Figures {
    /// Everything a user relies on holds.
    pub fn clean(&self) -> bool {
        self.not_active.is_empty()
            && self.lost == 0
            && self.duplicated == 0
            && self.differing == 0
            && self.stale_cells == 0
            && self.missing_alerts == 0
            && self.unsettled == 0
    }
}

impl fmt::Display for Figures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "accounts {} (not ACTIVE: {:?}); transactions stored {} of {} expected: \
             {} lost, {} duplicated, {} differing; stale spending cells {}; \
             alerts implied {}, missing {}; unsettled follow-ups {}",
            self.accounts,
            self.not_active,
            self.stored,
            self.expected,
            self.lost,
            self.duplicated,
            self.differing,
            self.stale_cells,
            self.implied_alerts,
            self.missing_alerts,
            self.unsettled,
        )
    }
}

/// Reads everything of `users` (every statement names them, as the
/// product's do: the routing check holds the tests to it too) and compares
/// it with the sandbox's view of each linked login as of now.
pub async fn figures(db: &DatabaseConnection, users: &[i64]) -> Figures {
    figures_shaped(db, users, SandboxShape::default()).await
}

/// As [`figures`], against a sandbox of another shape (`moneta seed`'s).
pub async fn figures_shaped(
    db: &DatabaseConnection,
    users: &[i64],
    shape: SandboxShape,
) -> Figures {
    let mut figures = Figures::default();
    let accounts = accounts::Entity::find()
        .filter(accounts::Column::UserId.is_in(users.iter().copied()))
        .all(db)
        .await
        .expect("accounts");
    let rows = transactions::Entity::find()
        .filter(transactions::Column::UserId.is_in(users.iter().copied()))
        .all(db)
        .await
        .expect("transactions");
    let clock: moneta_core::clock::SharedClock = Arc::new(SystemClock);
    let mut truths: HashMap<String, HashMap<String, ProviderTransaction>> = HashMap::new();
    for account in &accounts {
        if !truths.contains_key(&account.login) {
            let truth = ground_truth_shaped(clock.clone(), &account.login, shape).await;
            truths.insert(account.login.clone(), truth);
        }
    }
    figures.accounts = accounts.len();
    let mut by_account: HashMap<i64, Vec<&transactions::Model>> = HashMap::new();
    for row in &rows {
        by_account.entry(row.account_id).or_default().push(row);
    }
    for account in &accounts {
        if account.status != "ACTIVE" {
            figures
                .not_active
                .push((account.id, account.status.clone()));
        }
        let truth = &truths[&account.login];
        let stored = by_account.remove(&account.id).unwrap_or_default();
        figures.expected += truth.len();
        figures.stored += stored.len();
        let mut seen = 0;
        for row in &stored {
            match truth.get(&row.provider_transaction_id) {
                None => figures.duplicated += 1,
                Some(t) => {
                    seen += 1;
                    if t.amount.cents() != row.amount_cents
                        || t.pending != row.pending
                        || t.posted_at != row.posted_at
                    {
                        figures.differing += 1;
                    }
                }
            }
        }
        figures.lost += truth.len() - seen;
    }
    // Rows of no account at all (an unlink that left some behind).
    figures.duplicated += by_account.values().map(Vec::len).sum::<usize>();

    let mut sums: BTreeMap<(i64, i32, String), i64> = BTreeMap::new();
    for row in &rows {
        let category = row.user_category.clone().unwrap_or(row.category.clone());
        *sums.entry((row.user_id, row.month, category)).or_default() += row.amount_cents;
    }
    let stored: BTreeMap<(i64, i32, String), i64> = monthly_spending::Entity::find()
        .filter(monthly_spending::Column::UserId.is_in(users.iter().copied()))
        .all(db)
        .await
        .expect("monthly spending")
        .into_iter()
        .map(|r| ((r.user_id, r.month, r.category), r.amount_cents))
        // A zero total is no spending (what an adjustment may leave).
        .filter(|(_, cents)| *cents != 0)
        .collect();
    sums.retain(|_, cents| *cents != 0);
    figures.stale_cells = sums
        .iter()
        .filter(|(cell, sum)| stored.get(*cell) != Some(sum))
        .count()
        + stored
            .keys()
            .filter(|cell| !sums.contains_key(*cell))
            .count();

    let alerts = notifications::Entity::find()
        .filter(notifications::Column::UserId.is_in(users.iter().copied()))
        .all(db)
        .await
        .expect("notifications");
    let month = Month::of(clock.now());
    for &user in users {
        let budget = compute_budget(db, UserId::new(user), month)
            .await
            .expect("budget");
        for line in budget.lines {
            let Some(level) = AlertLevel::of(&line) else {
                continue;
            };
            figures.implied_alerts += 1;
            let stored = alerts
                .iter()
                .filter(|n| {
                    n.user_id == user
                        && n.kind == level.kind().as_str()
                        && n.category.as_deref() == Some(line.category.as_str())
                        && n.month == Some(month.as_int())
                })
                .count();
            if stored != 1 {
                figures.missing_alerts += 1;
            }
        }
    }
    figures.unsettled = spending_changes::Entity::find()
        .filter(spending_changes::Column::UserId.is_in(users.iter().copied()))
        .count(db)
        .await
        .expect("spending changes");
    figures
}
