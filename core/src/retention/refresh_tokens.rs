//! Refresh tokens past their use.
//!
//! A token is deleted a horizon after it expired or was revoked (rotated,
//! logged out, family revoked). The trade-off is reuse detection: presenting
//! a rotated token revokes its whole family, which needs the row. Once the
//! row is gone, the token is merely unknown: still refused, but its family
//! is no longer revoked for it. With the default of 30 days (the refresh
//! token's own lifetime), a token stolen and replayed within a month of its
//! rotation still trips the alarm; later, every token it could have led to
//! has expired or been rotated too, unless the family kept being used.

use chrono::{DateTime, Utc};
use moneta_entities::refresh_tokens;
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, ConnectionTrait};

use super::scan::delete_matching;
use super::{Horizon, RetentionError};

/// Deletes every refresh token that expired or was revoked before
/// `now - horizon`; returns how many.
pub async fn purge_refresh_tokens(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    horizon: Horizon,
) -> Result<u64, RetentionError> {
    use refresh_tokens::Column as C;
    let cutoff = horizon.cutoff(now);
    let rule = Condition::any()
        .add(C::ExpiresAt.lt(cutoff))
        .add(C::RevokedAt.lt(cutoff));
    let deleted = delete_matching::<refresh_tokens::Entity>(db, C::UserId, C::Id, rule).await?;
    tracing::info!(deleted, %cutoff, "expired and revoked refresh tokens deleted");
    Ok(deleted)
}
