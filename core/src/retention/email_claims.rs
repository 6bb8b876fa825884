//! Email claims of registrations that died.
//!
//! Registration claims the address in the global `user_emails` table (the
//! claim holds the new user's keyspace id), then inserts the user on its
//! shard, and releases the claim if that insert fails. A process that dies
//! in between leaves a claim without a user: the address can never be
//! registered again. Such a claim is released once it is older than the
//! horizon (so no registration can still be in flight) and its user,
//! recovered from the keyspace id, does not exist.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use moneta_entities::{user_emails, users};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{BATCH, ClaimHorizon, RetentionError};
use crate::UserId;
use crate::auth::user_id_of;

/// One claim as read by the scan.
type Claim = (String, Vec<u8>, DateTime<Utc>);

/// Releases the claims in `horizon`'s window whose user does not exist;
/// returns how many.
pub async fn release_abandoned_email_claims(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    horizon: ClaimHorizon,
) -> Result<u64, RetentionError> {
    let (from, until) = horizon.window(now);
    let mut after = (from, String::new());
    let mut released = 0;
    loop {
        let batch = claims_after(db, &after, until).await?;
        let Some(last) = batch.last() else {
            break;
        };
        after = (last.2, last.0.clone());
        released += release_orphans(db, &batch, until).await?;
        if (batch.len() as u64) < BATCH {
            break;
        }
    }
    tracing::info!(released, %from, %until, "abandoned email claims released");
    Ok(released)
}

/// The next claims made before `until`, in (created_at, email) order.
/// `user_emails` is unsharded: this reads one keyspace.
async fn claims_after(
    db: &impl ConnectionTrait,
    after: &(DateTime<Utc>, String),
    until: DateTime<Utc>,
) -> Result<Vec<Claim>, RetentionError> {
    use user_emails::Column as C;
    let col = |c: C| Expr::col((user_emails::Entity, c));
    Ok(user_emails::Entity::find()
        .select_only()
        .column(C::EmailNormalized)
        .column(C::KeyspaceId)
        .column(C::CreatedAt)
        .filter(
            Expr::tuple([col(C::CreatedAt), col(C::EmailNormalized)]).gt(Expr::tuple([
                Expr::val(after.0),
                Expr::val(after.1.clone()),
            ])),
        )
        .filter(C::CreatedAt.lt(until))
        .order_by_asc(C::CreatedAt)
        .order_by_asc(C::EmailNormalized)
        .limit(BATCH)
        .into_tuple()
        .all(db)
        .await?)
}

/// Releases the claims of `batch` whose user does not exist.
async fn release_orphans(
    db: &impl ConnectionTrait,
    batch: &[Claim],
    until: DateTime<Utc>,
) -> Result<u64, RetentionError> {
    let owners: Vec<Option<UserId>> = batch.iter().map(|(_, ks, _)| user_id_of(ks)).collect();
    let ids: Vec<i64> = owners.iter().flatten().map(|u| u.get()).collect();
    // Routed by the primary vindex (`users.id IN (…)`): a read, one
    // statement for the whole batch.
    let live: HashSet<i64> = if ids.is_empty() {
        HashSet::new()
    } else {
        users::Entity::find()
            .select_only()
            .column(users::Column::Id)
            .filter(users::Column::Id.is_in(ids))
            .into_tuple::<i64>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    let mut released = 0;
    for ((email, keyspace_id, _), owner) in batch.iter().zip(owners) {
        let Some(owner) = owner else {
            // Not written by us; never delete what cannot be read.
            tracing::warn!(
                len = keyspace_id.len(),
                "email claim with a malformed keyspace id kept"
            );
            continue;
        };
        if live.contains(&owner.get()) {
            continue;
        }
        // The same claim, still old: one made again since is kept.
        let gone = user_emails::Entity::delete_many()
            .filter(user_emails::Column::EmailNormalized.eq(email.as_str()))
            .filter(user_emails::Column::KeyspaceId.eq(keyspace_id.clone()))
            .filter(user_emails::Column::CreatedAt.lt(until))
            .exec(db)
            .await?
            .rows_affected;
        if gone > 0 {
            tracing::info!(user_id = %owner, "abandoned email claim released");
        }
        released += gone;
    }
    Ok(released)
}
