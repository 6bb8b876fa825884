//! Changing stored totals in place, inside the change's own database
//! transaction, and the turn every writer of a user's totals takes first.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use moneta_entities::{monthly_spending, users};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QuerySelect,
};

use crate::UserId;
use crate::categories::Category;
use crate::error::InternalError;
use crate::money::Money;
use crate::month::Month;

/// How much each (month, category) total moves.
pub type Deltas = BTreeMap<(Month, Category), Money>;

/// Waits for the user's turn to write their totals: a lock on the user's
/// row, held until the caller's database transaction ends. Every writer
/// of `monthly_spending` (a sync page's [`adjust`], a recompute) takes it
/// first, so each reads what the others committed and none inserts beside
/// another's rows. SQLite has one writer at a time and no `FOR UPDATE`:
/// there the turn is the database's write lock, taken first by a write
/// that changes nothing. Otherwise a transaction that reads first (a
/// recompute) and writes after another writer committed could only fail
/// (`SQLITE_BUSY_SNAPSHOT`); taken first, the lock is waited for (the
/// busy timeout) like MySQL's row lock.
pub async fn take_turn(conn: &impl ConnectionTrait, user: UserId) -> Result<(), InternalError> {
    match conn.get_database_backend() {
        DbBackend::MySql => {
            users::Entity::find_by_id(user.get())
                .select_only()
                .column(users::Column::Id)
                .lock_exclusive()
                .into_tuple::<i64>()
                .one(conn)
                .await?;
        }
        _ => {
            users::Entity::update_many()
                .col_expr(users::Column::Id, Expr::col(users::Column::Id))
                .filter(users::Column::Id.eq(user.get()))
                .exec(conn)
                .await?;
        }
    }
    Ok(())
}

/// Adds `deltas` to the user's stored totals, creating the cells that do
/// not exist yet; one statement. Call it after [`take_turn`], on the
/// connection of the database transaction that changed the transactions.
/// A total may reach zero and stay stored: a zero total is no spending,
/// and readers skip it.
pub async fn adjust(
    conn: &impl ConnectionTrait,
    user: UserId,
    deltas: &Deltas,
    now: DateTime<Utc>,
) -> Result<(), InternalError> {
    let rows: Vec<monthly_spending::ActiveModel> = deltas
        .iter()
        .filter(|(_, delta)| **delta != Money::ZERO)
        .map(
            |(&(month, category), delta)| monthly_spending::ActiveModel {
                user_id: Set(user.get()),
                month: Set(month.as_int()),
                category: Set(category.as_str().to_owned()),
                amount_cents: Set(delta.cents()),
                updated_at: Set(now),
            },
        )
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    // The stored total plus the inserted row's value: `VALUES(…)` on
    // MySQL, `excluded.…` on SQLite.
    let sum = match conn.get_database_backend() {
        DbBackend::MySql => "`amount_cents` + VALUES(`amount_cents`)",
        _ => "\"amount_cents\" + excluded.\"amount_cents\"",
    };
    monthly_spending::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([
                monthly_spending::Column::UserId,
                monthly_spending::Column::Month,
                monthly_spending::Column::Category,
            ])
            .value(monthly_spending::Column::AmountCents, Expr::cust(sum))
            .update_column(monthly_spending::Column::UpdatedAt)
            .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}
