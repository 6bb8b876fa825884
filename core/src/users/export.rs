//! Everything of a user's, gathered for them to take away (data
//! portability): their profile, accounts, transactions, budgets and
//! notifications, as the domain reads them. The API renders it; every
//! read names the user, and long lists are read by keyset, 500 rows at a
//! time.

use std::collections::BTreeSet;

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
    let transactions = all_transactions(db, user).await?;
    let mut months: BTreeSet<i32> = transactions.iter().map(|t| t.month).collect();
    months.insert(Month::of(now).as_int());
    let mut budgets = Vec::with_capacity(months.len());
    for month in months.into_iter().rev() {
        let month = Month::from_int(month).map_err(|e| InternalError::Corrupt(e.to_string()))?;
        budgets.push(compute_budget(db, user, month).await?);
    }
    let notifications = all_notifications(db, user).await?;
    Ok(Some(Export {
        user: profile,
        accounts,
        transactions,
        budgets,
        notifications,
    }))
}

async fn all_transactions(
    db: &impl ConnectionTrait,
    user: UserId,
) -> Result<Vec<Transaction>, InternalError> {
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = transactions::page(db, user, TransactionFilter::default(), after, PAGE).await?;
        after = page.last().map(|t| Position {
            posted_at: t.posted_at,
            id: t.id,
        });
        let full = page.len() as u64 == PAGE;
        all.extend(page);
        if !full {
            return Ok(all);
        }
    }
}

async fn all_notifications(
    db: &impl ConnectionTrait,
    user: UserId,
) -> Result<Vec<Notification>, InternalError> {
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = notifications::page(db, user, false, after, PAGE).await?;
        after = page.last().map(|n| (n.created_at, n.id));
        let full = page.len() as u64 == PAGE;
        all.extend(page);
        if !full {
            return Ok(all);
        }
    }
}
