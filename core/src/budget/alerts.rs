//! Budget alerts: APPROACHING at 80 % of a category's budget, EXCEEDED
//! above 100 %; each at most once per (user, category, month, level).
//!
//! The notification is stored first — the unique key (user, kind,
//! category, month) makes "once" hold under any concurrency: of racing
//! evaluations exactly one insert wins and only the winner publishes. Live
//! delivery is best effort; the stored notification is the truth.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use super::{BudgetLine, BudgetSource, BudgetStatus, compute_budget};
use crate::error::InternalError;
use crate::money::Money;
use crate::month::Month;
use crate::notifications::{self, NewNotification, NotificationKind};
use crate::ports::{AlertNotice, EventBus, UserEvent};
use crate::{IdGenerator, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertLevel {
    Approaching,
    Exceeded,
}

impl AlertLevel {
    /// The alert a budget line calls for, if any. A category with no
    /// budget at all (no income known, no override) has nothing to
    /// approach or exceed, so nothing to alert about.
    pub fn of(line: &BudgetLine) -> Option<Self> {
        if line.budgeted == Money::ZERO && line.source == BudgetSource::Template {
            return None;
        }
        match line.status {
            BudgetStatus::Under => None,
            BudgetStatus::Approaching => Some(Self::Approaching),
            BudgetStatus::Exceeded => Some(Self::Exceeded),
        }
    }

    pub const fn kind(self) -> NotificationKind {
        match self {
            Self::Approaching => NotificationKind::BudgetApproaching,
            Self::Exceeded => NotificationKind::BudgetExceeded,
        }
    }
}

/// Evaluates every category of `user`'s budget for `month`, stores the
/// alerts that fire for the first time, and publishes them. Returns how
/// many fired.
pub async fn evaluate_alerts(
    db: &impl ConnectionTrait,
    ids: &IdGenerator,
    events: &dyn EventBus,
    user: UserId,
    month: Month,
    now: DateTime<Utc>,
) -> Result<usize, InternalError> {
    let fired = store_alerts(db, ids, user, month, now).await?;
    let count = fired.len();
    publish_alerts(events, user, fired).await;
    Ok(count)
}

/// Publishes alerts [`store_alerts`] stored. Live delivery is best
/// effort: the stored notification is the truth.
pub async fn publish_alerts(events: &dyn EventBus, user: UserId, fired: Vec<UserEvent>) {
    for event in fired {
        if let Err(error) = events.publish(user, event).await {
            tracing::warn!(user_id = %user, %error, "budget alert stored but not published");
        }
    }
}

/// Evaluates every category of `user`'s budget for `month` and stores
/// the alerts that fire for the first time; returns their events, to
/// publish once the user's cached views (their notifications among
/// them) are invalidated.
pub async fn store_alerts(
    db: &impl ConnectionTrait,
    ids: &IdGenerator,
    user: UserId,
    month: Month,
    now: DateTime<Utc>,
) -> Result<Vec<UserEvent>, InternalError> {
    let budget = compute_budget(db, user, month).await?;
    let mut fired = Vec::new();
    for line in &budget.lines {
        let Some(level) = AlertLevel::of(line) else {
            continue;
        };
        let message = match level {
            AlertLevel::Approaching => format!(
                "You have spent {} of your {} {} budget for {month}",
                line.spent,
                line.budgeted,
                line.category.as_str().to_lowercase().replace('_', " "),
            ),
            AlertLevel::Exceeded => format!(
                "You are over your {} {} budget for {month}: {} spent",
                line.budgeted,
                line.category.as_str().to_lowercase().replace('_', " "),
                line.spent,
            ),
        };
        let note = NewNotification {
            kind: level.kind(),
            message,
            category: Some(line.category),
            month: Some(month),
        };
        let Some(stored) = notifications::store(db, ids, user, note, now).await? else {
            continue;
        };
        tracing::info!(user_id = %user, category = line.category.as_str(), %month, kind = level.kind().as_str(), "budget alert");
        let event = UserEvent::BudgetAlert {
            notification_id: stored.id,
            category: line.category,
            month,
            budgeted: line.budgeted,
            spent: line.spent,
            notice: Some(AlertNotice {
                kind: stored.kind,
                message: stored.message,
                created_at: stored.created_at,
            }),
        };
        fired.push(event);
    }
    Ok(fired)
}
