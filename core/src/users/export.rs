//! Everything of a user's, gathered for them to take away (data
//! portability): their profile, accounts, transactions, budgets and
//! notifications, as the domain reads them. The API renders it; every
//! read names the user, and long lists are read by keyset, 500 rows at a
//! time.

use std::collections::BTreeSet;
use std::future::Future;

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use super::{User, find};
use crate::UserId;
use crate::accounts::{self, Account};
use crate::budget::{Budget, compute_budget};
use crate::error::InternalError;
use crate::month::Month;
use crate::notifications::{self, Notification};
use crate::transactions::{self, Position, Transaction, TransactionFilter};

/// Rows read per statement.
const PAGE: u64 = 500;

/// A user's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub user: User,
    /// Oldest first, as `accounts` lists them.
    pub accounts: Vec<Account>,
    /// Newest first, as `transactions` lists them.
    pub transactions: Vec<Transaction>,
    /// One per month with a transaction, and the month in progress;
    /// newest first.
    pub budgets: Vec<Budget>,
    /// Newest first, as `notifications` lists them.
    pub notifications: Vec<Notification>,
}

/// Everything of `user`'s; `None` when there is no such (live) user.
pub async fn export(
    db: &impl ConnectionTrait,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<Option<Export>, InternalError> {
    let Some(profile) = find(db, user).await? else {
        return Ok(None);
    };
    let accounts = accounts::list(db, user).await?;
    let transactions = every(
        |after| transactions::page(db, user, TransactionFilter::default(), after, PAGE),
        |t| Position {
            posted_at: t.posted_at,
            id: t.id,
        },
    )
    .await?;
    let mut months: BTreeSet<Month> = transactions.iter().map(|t| t.month).collect();
    months.insert(Month::of(now));
    let mut budgets = Vec::with_capacity(months.len());
    for month in months.into_iter().rev() {
        budgets.push(compute_budget(db, user, month).await?);
    }
    let notifications = every(
        |after| notifications::page(db, user, false, after, PAGE),
        |n| (n.created_at, n.id),
    )
    .await?;
    Ok(Some(Export {
        user: profile,
        accounts,
        transactions,
        budgets,
        notifications,
    }))
}

/// Every row `page` yields, [`PAGE`] at a time, each page starting
/// after the `position` of the last row of the one before.
async fn every<T, P, F, Fut>(
    mut page: F,
    position: impl Fn(&T) -> P,
) -> Result<Vec<T>, InternalError>
where
    F: FnMut(Option<P>) -> Fut,
    Fut: Future<Output = Result<Vec<T>, InternalError>>,
{
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let rows = page(after.take()).await?;
        after = rows.last().map(&position);
        let full = rows.len() as u64 == PAGE;
        all.extend(rows);
        if !full {
            return Ok(all);
        }
    }
}
