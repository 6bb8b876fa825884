//! Budget alerts: APPROACHING at 80 % of a category's budget, EXCEEDED
//! above 100 %; each at most once per (user, category, month, level).
//!
//! The notification is stored first — the unique key (user, kind,
//! category, month) makes "once" hold under any concurrency: of racing
//! evaluations exactly one insert wins and only the winner publishes. Live
//! delivery is best effort; the stored notification is the truth.

use chrono::{DateTime, Utc};
use moneta_entities::notifications;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, SqlErr};

use super::{BudgetLine, BudgetSource, BudgetStatus, compute_budget};
use crate::error::InternalError;
use crate::month::Month;
use crate::ports::{EventBus, UserEvent};
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
        if line.budgeted_cents == 0 && line.source == BudgetSource::Template {
            return None;
        }
        match line.status {
            BudgetStatus::Under => None,
            BudgetStatus::Approaching => Some(Self::Approaching),
            BudgetStatus::Exceeded => Some(Self::Exceeded),
        }
    }

    pub const fn kind(self) -> &'static str {
        match self {
            Self::Approaching => "BUDGET_APPROACHING",
            Self::Exceeded => "BUDGET_EXCEEDED",
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
    let budget = compute_budget(db, user, month).await?;
    let mut fired = 0;
    for line in &budget.lines {
        let Some(level) = AlertLevel::of(line) else {
            continue;
        };
        let id = ids.next_id();
        let message = match level {
            AlertLevel::Approaching => format!(
                "You have spent {} of your {} {} budget for {month}",
                dollars(line.spent_cents),
                dollars(line.budgeted_cents),
                line.category.as_str().to_lowercase().replace('_', " "),
            ),
            AlertLevel::Exceeded => format!(
                "You are over your {} {} budget for {month}: {} spent",
                dollars(line.budgeted_cents),
                line.category.as_str().to_lowercase().replace('_', " "),
                dollars(line.spent_cents),
            ),
        };
        let inserted = notifications::Entity::insert(notifications::ActiveModel {
            user_id: Set(user.get()),
            id: Set(id),
            kind: Set(level.kind().to_owned()),
            category: Set(Some(line.category.as_str().to_owned())),
            month: Set(Some(month.as_int())),
            message: Set(message),
            is_read: Set(false),
            created_at: Set(now),
        })
        .exec_without_returning(db)
        .await;
        match inserted {
            Ok(_) => {}
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => continue,
            Err(e) => return Err(e.into()),
        }
        fired += 1;
        tracing::info!(user_id = %user, category = line.category.as_str(), %month, kind = level.kind(), "budget alert");
        let event = UserEvent::BudgetAlert {
            notification_id: id,
            category: line.category.as_str().to_owned(),
            month: month.as_int(),
            budgeted_cents: line.budgeted_cents,
            spent_cents: line.spent_cents,
        };
        if let Err(error) = events.publish(user, event).await {
            tracing::warn!(user_id = %user, %error, "budget alert stored but not published");
        }
    }
    Ok(fired)
}

fn dollars(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!(
        "{sign}${}.{:02}",
        cents.unsigned_abs() / 100,
        cents.unsigned_abs() % 100
    )
}
