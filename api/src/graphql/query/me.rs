use async_graphql::{Context, Object, Result};
use moneta_core::auth::Identity;

use crate::error::gql_error;
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
        let user = services(ctx)?
            .users
            .find(identity.user_id)
            .await
            .map_err(|e| gql_error(&e))?;
        Ok(user.map(User))
    }
}
