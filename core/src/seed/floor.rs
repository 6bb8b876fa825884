//! The floor ingestion is measured against: the same rows, categorized
//! beforehand, upserted raw in multi-row statements batched as a sync page
//! batches them (`db::batches`), one user's rows per task, `concurrency`
//! at a time. The ingest benchmark and `moneta seed` print their rate
//! beside it, measured in the same run.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use moneta_entities::transactions;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::IdGenerator;
use crate::categories::Categorizer;
use crate::error::{InternalError, TransientRetry};
use crate::institutions::ProviderTransaction;
use crate::month::Month;

/// Each user's rows, ready to upsert.
pub type FloorRows = Vec<Vec<transactions::ActiveModel>>;

/// The rows of `histories` (user and account ids, transactions), each
/// categorized as a sync would: built before the clock starts.
pub async fn floor_rows(
    db: &DatabaseConnection,
    categorizer: &Categorizer,
    ids: &IdGenerator,
    histories: &[(i64, i64, Vec<ProviderTransaction>)],
    now: DateTime<Utc>,
) -> Result<FloorRows, InternalError> {
    let mut all = Vec::with_capacity(histories.len());
    for (user, account, history) in histories {
        let sellers: Vec<&str> = history.iter().map(|t| t.seller.as_str()).collect();
        let categorized = categorizer.categorize(db, &sellers).await?;
        let rows = history
            .iter()
            .zip(categorized)
            .map(|(t, c)| transactions::ActiveModel {
                user_id: Set(*user),
                id: Set(ids.next_id()),
                account_id: Set(*account),
                provider_transaction_id: Set(t.provider_id.clone()),
                pending: Set(t.pending),
                pending_transaction_id: Set(t.pending_transaction_id.clone()),
                posted_at: Set(t.posted_at),
                month: Set(Month::of(t.posted_at).as_int()),
                seller_raw: Set(t.seller.clone()),
                seller_normalized: Set(c.seller_key),
                amount_cents: Set(t.amount.cents()),
                category: Set(c.category.as_str().to_owned()),
                category_source: Set(c.source.as_str().to_owned()),
                user_category: Set(None),
                rule_id: Set(None),
                display_name: Set(None),
                transfer_id: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .collect();
        all.push(rows);
    }
    Ok(all)
}

/// Upserts `rows`, `concurrency` users at a time; returns how long it
/// took.
pub async fn upsert_floor(
    db: &DatabaseConnection,
    rows: FloorRows,
    concurrency: usize,
) -> Result<Duration, InternalError> {
    let started = Instant::now();
    let mut users = rows.into_iter();
    let mut running = tokio::task::JoinSet::new();
    loop {
        while running.len() < concurrency.max(1) {
            let Some(user_rows) = users.next() else {
                break;
            };
            let db = db.clone();
            running.spawn(async move { upsert_user(&db, &user_rows).await });
        }
        match running.join_next().await {
            Some(done) => {
                done??;
            }
            None => return Ok(started.elapsed()),
        }
    }
}

/// Deletes what the floor wrote for `users`.
pub async fn remove_floor(db: &DatabaseConnection, users: &[i64]) -> Result<(), InternalError> {
    for &user in users {
        transactions::Entity::delete_many()
            .filter(transactions::Column::UserId.eq(user))
            .exec(db)
            .await?;
    }
    Ok(())
}

async fn upsert_user(
    db: &DatabaseConnection,
    rows: &[transactions::ActiveModel],
) -> Result<(), InternalError> {
    for chunk in crate::db::batches(rows) {
        // The same retry on deadlock as a sync page's.
        let mut retry = TransientRetry::default();
        loop {
            match crate::sync::upsert_chunk(db, chunk).await {
                Err(e) if retry.again(&e).await => {}
                other => break other?,
            }
        }
    }
    Ok(())
}
