//! Notifications past their use.
//!
//! - Sync results (SYNC_COMPLETED, SYNC_FAILED) the user has read go a
//!   horizon after they were created; unread ones stay, however old.
//! - Budget alerts, read or not, go only after at least 13 months (the
//!   [`BudgetAlertHorizon`] floor): alerts are unique per (user, kind,
//!   category, month) and only the month in progress is evaluated, so a
//!   deleted alert of a past month never fires again.
//! - Any other kind is never deleted here.

use chrono::{DateTime, Utc};
use moneta_entities::notifications;
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, ConnectionTrait};

use super::scan::delete_matching;
use super::{BudgetAlertHorizon, Horizon, RetentionError};
use crate::notifications::NotificationKind;

/// Kept until read, then a horizon.
const SYNC_RESULTS: [NotificationKind; 2] = [
    NotificationKind::SyncCompleted,
    NotificationKind::SyncFailed,
];
/// Kept at least 13 months.
const BUDGET_ALERTS: [NotificationKind; 2] = [
    NotificationKind::BudgetApproaching,
    NotificationKind::BudgetExceeded,
];

/// Deletes the read sync notifications created before `now - sync` and
/// the budget alerts created before `now - budget`; returns how many.
pub async fn purge_notifications(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    read_sync: Horizon,
    budget: BudgetAlertHorizon,
) -> Result<u64, RetentionError> {
    use notifications::Column as C;
    let sync_cutoff = read_sync.cutoff(now);
    let budget_cutoff = budget.cutoff(now);
    let rule = Condition::any()
        .add(
            Condition::all()
                .add(C::Kind.is_in(SYNC_RESULTS.map(NotificationKind::as_str)))
                .add(C::IsRead.eq(true))
                .add(C::CreatedAt.lt(sync_cutoff)),
        )
        .add(
            Condition::all()
                .add(C::Kind.is_in(BUDGET_ALERTS.map(NotificationKind::as_str)))
                .add(C::CreatedAt.lt(budget_cutoff)),
        );
    let deleted = delete_matching::<notifications::Entity>(db, C::UserId, C::Id, rule).await?;
    tracing::info!(deleted, %sync_cutoff, %budget_cutoff, "old notifications deleted");
    Ok(deleted)
}
