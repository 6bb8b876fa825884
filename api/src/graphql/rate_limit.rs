//! Refusing a caller that does something too often: RATE_LIMITED with
//! `retryAfter` (whole seconds, rounded up).

use std::time::Duration;

use async_graphql::{Context, Result};

use crate::error::{OrGql as _, rate_limited};
use crate::graphql::services;

/// A `(attempts, window in seconds)` limit.
pub type Limit = (u32, u64);

/// Counts one attempt against each `(key, limit)`; the first exhausted
/// one refuses the request.
pub async fn rate_limit(ctx: &Context<'_>, checks: &[(String, Limit)]) -> Result<()> {
    let limiter = &services(ctx)?.rate_limiter;
    for (key, (limit, window)) in checks {
        let refused = limiter
            .hit(key, *limit, Duration::from_secs(*window))
            .await
            .or_gql()?;
        if let Some(retry_after) = refused {
            return Err(rate_limited(retry_after));
        }
    }
    Ok(())
}
