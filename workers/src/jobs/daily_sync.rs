//! The daily sync: queue a sync of every account of every user active in
//! the past 30 days.

use std::time::Duration;

use futures_util::future::BoxFuture;
use moneta_core::ports::{SyncJob, SyncReason};
use moneta_entities::{accounts, users};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::JobError;
use crate::WorkerContext;

/// Users read per batch of the scan.
const BATCH: u64 = 500;
/// Who counts as active.
const ACTIVE_DAYS: i64 = 30;

/// The cron entry: only one worker replica runs each day's tick (a lease
/// named after the day, held past the tick and left to expire).
pub fn scheduled(ctx: WorkerContext) -> BoxFuture<'static, Result<(), JobError>> {
    Box::pin(async move {
        let day = ctx.clock.now().format("%Y-%m-%d").to_string();
        let lease = ctx
            .leases
            .acquire(&format!("daily-sync:{day}"), Duration::from_secs(6 * 3600))
            .await?;
        if lease.is_none() {
            tracing::info!(%day, "daily sync already run by another worker");
            return Ok(());
        }
        run(&ctx).await.map(|_| ())
    })
}

/// `moneta jobs run daily-sync`: runs now, whoever else runs.
pub fn run_now(ctx: WorkerContext) -> BoxFuture<'static, Result<u64, JobError>> {
    Box::pin(async move { run(&ctx).await })
}

/// Runs the scan now; returns how many syncs it queued.
pub async fn run(ctx: &WorkerContext) -> Result<u64, JobError> {
    let since = ctx.clock.now() - chrono::Duration::days(ACTIVE_DAYS);
    let mut after = 0_i64;
    let mut queued = 0_u64;
    loop {
        // Reviewed scatter query: keyset over users.id with a LIMIT, the one
        // batch scan of the daily job.
        let batch: Vec<i64> = users::Entity::find()
            .select_only()
            .column(users::Column::Id)
            .filter(users::Column::Id.gt(after))
            .filter(users::Column::LastActiveAt.gte(since))
            // Being deleted: nothing of theirs is synced again.
            .filter(users::Column::DeletedAt.is_null())
            .order_by_asc(users::Column::Id)
            .limit(BATCH)
            .into_tuple()
            .all(&ctx.db)
            .await
            .map_err(moneta_core::InternalError::from)?;
        let Some(&last) = batch.last() else {
            break;
        };
        after = last;
        let rows: Vec<(i64, i64)> = accounts::Entity::find()
            .select_only()
            .column(accounts::Column::UserId)
            .column(accounts::Column::Id)
            .filter(accounts::Column::UserId.is_in(batch.iter().copied()))
            .into_tuple()
            .all(&ctx.db)
            .await
            .map_err(moneta_core::InternalError::from)?;
        for (user_id, account_id) in rows {
            ctx.queue
                .enqueue(&SyncJob {
                    user_id,
                    account_id,
                    reason: SyncReason::Daily,
                })
                .await?;
            queued += 1;
        }
        if (batch.len() as u64) < BATCH {
            break;
        }
    }
    tracing::info!(queued, "daily sync queued");
    Ok(queued)
}
