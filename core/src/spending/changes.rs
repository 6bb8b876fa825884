//! The durable record of follow-up work: which (user, month) a committed
//! change left to settle.

use chrono::{DateTime, Utc};
use moneta_entities::spending_changes;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

use crate::error::InternalError;
use crate::month::Month;
use crate::{IdGenerator, UserId};

/// What a change did to the stored totals of the months it marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Totals {
    /// Left them as they were: settling recomputes them.
    Stale,
    /// Left them right: it adjusted them in its own database transaction
    /// (a sync page, [`super::adjust`]) or did not touch them (a budget
    /// edit). Settling leaves them.
    Current,
}

/// Records that `months` of `user` changed. Call it on the connection of
/// the change's own database transaction, so the record commits (or rolls
/// back) with the change. Re-marking a month already marked moves its
/// change id and time forward (settling an older change then leaves the
/// newer one in place); a month marked [`Totals::Stale`] stays so until
/// it is settled.
pub async fn mark(
    conn: &impl ConnectionTrait,
    ids: &IdGenerator,
    user: UserId,
    months: impl IntoIterator<Item = Month>,
    totals: Totals,
    now: DateTime<Utc>,
) -> Result<(), InternalError> {
    let change_id = ids.next_id();
    let rows: Vec<spending_changes::ActiveModel> = months
        .into_iter()
        .map(|month| spending_changes::ActiveModel {
            user_id: Set(user.get()),
            month: Set(month.as_int()),
            change_id: Set(change_id),
            marked_at: Set(now),
            recompute: Set(totals == Totals::Stale),
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    let mut updated = vec![
        spending_changes::Column::ChangeId,
        spending_changes::Column::MarkedAt,
    ];
    if totals == Totals::Stale {
        updated.push(spending_changes::Column::Recompute);
    }
    spending_changes::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([
                spending_changes::Column::UserId,
                spending_changes::Column::Month,
            ])
            .update_columns(updated)
            .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}
