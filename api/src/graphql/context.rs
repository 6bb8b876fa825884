//! What a resolver reads from the request context.

use async_graphql::{Context, Result};
use moneta_core::ErrorCode;
use moneta_core::auth::Identity;

use crate::error::coded;
use crate::state::Services;

/// The caller; user-scoped fields fail with `UNAUTHENTICATED` without one.
pub fn identity(ctx: &Context<'_>) -> Result<Identity> {
    ctx.data_opt::<Identity>()
        .copied()
        .ok_or_else(|| coded(ErrorCode::Unauthenticated, "authentication required"))
}

/// The domain services (always present: `graphql::build` adds them).
pub fn services<'a>(ctx: &Context<'a>) -> Result<&'a Services> {
    ctx.data::<Services>()
}
