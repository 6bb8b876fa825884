//! Refusing a caller that does something too often: RATE_LIMITED with
//! `retryAfter` (whole seconds, rounded up).

use std::time::Duration;

use async_graphql::{Context, ErrorExtensions as _, Result};
use moneta_core::ErrorCode;

use crate::error::OrGql as _;
use crate::graphql::services;

/// A `(attempts, window in seconds)` limit.
pub type Limit = (u32, u64);

/// The RATE_LIMITED error: retry after `retry_after`.
pub fn rate_limited(retry_after: Duration) -> async_graphql::Error {
    let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
    async_graphql::Error::new("too many attempts; retry later").extend_with(|_, ext| {
        ext.set("code", ErrorCode::RateLimited.as_str());
        ext.set("retryAfter", seconds.max(1));
    })
}

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
