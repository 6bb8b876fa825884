//! "Spending changed", carried out from its durable record.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use moneta_entities::spending_changes;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::recompute_months;
use crate::budget::{publish_alerts, store_alerts};
use crate::cache::ReadCache;
use crate::clock::SharedClock;
use crate::error::InternalError;
use crate::month::Month;
use crate::ports::EventBus;
use crate::{IdGenerator, UserId, crash_point};

/// Users the sweeper reads per batch.
const SWEEP_BATCH: u64 = 500;

/// Settles the follow-up work [`super::mark`] recorded: for every marked
/// month of a user, recompute its spending (unless the change adjusted
/// it itself, [`super::Totals::Current`]), invalidate the user's cached
/// views (before any alert goes out: a client that re-reads on the alert
/// sees the new figures), evaluate the budget alerts of the month in
/// progress (and of one that was when it was marked), then clear the
/// record. Each step is safe to repeat, so a crash anywhere costs only a
/// repeat: the record stays until the last step is done.
#[derive(Debug, Clone)]
pub struct FollowUp {
    pub db: DatabaseConnection,
    pub cache: ReadCache,
    pub events: Arc<dyn EventBus>,
    pub ids: Arc<IdGenerator>,
    pub clock: SharedClock,
}

/// What settling did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settled {
    /// The months settled.
    pub months: Vec<Month>,
    /// Budget alerts that fired for the first time.
    pub alerts: usize,
}

/// Follow-up work carried out whose record is still to clear: the marks
/// read, which [`Done::clear`] deletes (in the caller's transaction, when
/// it has one to commit anyway).
#[derive(Debug)]
#[must_use = "the record stays until it is cleared"]
pub struct Done {
    user: UserId,
    marks: Vec<spending_changes::Model>,
    settled: Settled,
}

impl Done {
    /// Deletes the marks carried out, and only those: a change that
    /// re-marked a month meanwhile (a new change id) is left for its own
    /// settling.
    pub async fn clear(self, db: &impl ConnectionTrait) -> Result<Settled, InternalError> {
        if self.marks.is_empty() {
            return Ok(self.settled);
        }
        let user = self.user;
        let carried_out = self.marks.iter().fold(Condition::any(), |any, mark| {
            any.add(
                Condition::all()
                    .add(spending_changes::Column::Month.eq(mark.month))
                    .add(spending_changes::Column::ChangeId.eq(mark.change_id)),
            )
        });
        spending_changes::Entity::delete_many()
            .filter(spending_changes::Column::UserId.eq(user.get()))
            .filter(carried_out)
            .exec(db)
            .await?;
        tracing::debug!(user_id = %user, months = self.settled.months.len(), alerts = self.settled.alerts, "spending change settled");
        Ok(self.settled)
    }
}

impl FollowUp {
    /// Settles everything recorded for `user`, whoever recorded it.
    pub async fn settle(&self, user: UserId) -> Result<Settled, InternalError> {
        self.carry_out(user).await?.clear(&self.db).await
    }

    /// Carries out everything recorded for `user` (recompute, invalidate,
    /// alerts) and returns the record to clear, so that the caller can
    /// clear it in the transaction it commits next (the sync's status).
    pub async fn carry_out(&self, user: UserId) -> Result<Done, InternalError> {
        let marks = spending_changes::Entity::find()
            .filter(spending_changes::Column::UserId.eq(user.get()))
            .all(&self.db)
            .await?;
        if marks.is_empty() {
            return Ok(Done {
                user,
                marks,
                settled: Settled::default(),
            });
        }
        let now = self.clock.now();
        let months = marks
            .iter()
            .map(|m| Month::from_int(m.month))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| InternalError::Corrupt("a marked month is not a month".into()))?;
        // A sync page adjusted its months' totals itself; any other change
        // left them to be recomputed.
        let stale: Vec<Month> = marks
            .iter()
            .zip(&months)
            .filter(|(mark, _)| mark.recompute)
            .map(|(_, month)| *month)
            .collect();
        recompute_months(&self.db, user, &stale, now).await?;
        crash_point!("spending.recomputed");
        // The month in progress always: its budget rests on the income
        // estimated from earlier months. And a month that was in progress
        // when it was marked, though it has ended since.
        let mut alerted = BTreeSet::from([Month::of(now)]);
        alerted.extend(
            marks
                .iter()
                .zip(&months)
                .filter(|(mark, month)| **month == Month::of(mark.marked_at))
                .map(|(_, month)| *month),
        );
        let mut fired = Vec::new();
        for month in alerted {
            fired.extend(store_alerts(&self.db, &self.ids, user, month, now).await?);
        }
        // After the alerts are stored (the home screen lists them) and
        // before they go out: a client that re-reads on an alert sees
        // the new figures and the alert.
        self.cache.invalidate(user).await;
        let alerts = fired.len();
        publish_alerts(self.events.as_ref(), user, fired).await;
        crash_point!("spending.alerted");
        Ok(Done {
            user,
            marks,
            settled: Settled { months, alerts },
        })
    }

    /// Settles the records left for longer than `idle` (their process died
    /// or gave up); returns how many users it settled. One user's failure
    /// is logged and does not stop the others (their record stays for the
    /// next sweep).
    pub async fn sweep(&self, idle: Duration) -> Result<u64, InternalError> {
        let horizon =
            self.clock.now() - chrono::Duration::from_std(idle).unwrap_or(chrono::Duration::zero());
        let mut after = i64::MIN;
        let mut settled = 0;
        loop {
            // Reviewed scatter query: keyset over the user ids of a table
            // that stays small (a record lives for one change).
            let users: Vec<i64> = spending_changes::Entity::find()
                .select_only()
                .column(spending_changes::Column::UserId)
                .distinct()
                .filter(spending_changes::Column::UserId.gt(after))
                .filter(spending_changes::Column::MarkedAt.lt(horizon))
                .order_by_asc(spending_changes::Column::UserId)
                .limit(SWEEP_BATCH)
                .into_tuple()
                .all(&self.db)
                .await?;
            let Some(&last) = users.last() else {
                break;
            };
            after = last;
            for &user in &users {
                match self.settle(UserId::new(user)).await {
                    Ok(_) => settled += 1,
                    Err(error) => {
                        tracing::warn!(user_id = user, %error, "spending change not settled; the next sweep retries");
                    }
                }
            }
            if (users.len() as u64) < SWEEP_BATCH {
                break;
            }
        }
        if settled > 0 {
            tracing::info!(
                users = settled,
                "sweeper settled spending changes left behind"
            );
        }
        Ok(settled)
    }
}
