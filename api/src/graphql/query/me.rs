use async_graphql::{Context, Object, Result};
use moneta_core::auth::Identity;

use crate::error::OrGql as _;
use crate::graphql::services;
use crate::graphql::types::User;

#[derive(Default)]
pub struct MeQuery;

#[Object]
impl MeQuery {
    /// The caller; null when the request carries no access token.
    async fn me(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(identity) = ctx.data_opt::<Identity>() else {
            return Ok(None);
        };
        let user = services(ctx)?.users.find(identity.user_id).await.or_gql()?;
        Ok(user.map(User))
    }
}
