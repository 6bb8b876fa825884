//! The caller's own account: deleting it.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use secrecy::SecretString;

use crate::error::{OrGql as _, user_errors};
use crate::graphql::ids::{self, Kind};
use crate::graphql::limits::DELETE_ME_PER_USER;
use crate::graphql::rate_limit::rate_limit;
use crate::graphql::types::UserError;
use crate::graphql::{identity, services};

#[derive(InputObject)]
pub struct DeleteMeInput {
    /// The caller's password, asked again.
    pub password: String,
}

#[derive(SimpleObject)]
pub struct DeleteMePayload {
    /// The deleted user's id; null when nothing was deleted.
    pub deleted_user_id: Option<ID>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct MeMutation;

#[Object]
impl MeMutation {
    /// Deletes the caller's account and everything of theirs: accounts
    /// and bank credentials, transactions, budgets, notifications, crowd
    /// votes, raw bank pages, cached views and sessions. The email can
    /// register again. A wrong password deletes nothing
    /// (INVALID_CREDENTIALS).
    async fn delete_me(&self, ctx: &Context<'_>, input: DeleteMeInput) -> Result<DeleteMePayload> {
        let me = identity(ctx)?.user_id;
        rate_limit(ctx, &[(format!("delete-me:user:{me}"), DELETE_ME_PER_USER)]).await?;
        let services = services(ctx)?;
        if let Err(err) = services
            .auth
            .confirm_password(me, SecretString::from(input.password))
            .await
        {
            return Ok(DeleteMePayload {
                deleted_user_id: None,
                user_errors: user_errors(err)?,
            });
        }
        // Marked first: from then on nothing of theirs is accepted — their
        // tokens on every replica, their live sockets — while the rest is
        // erased.
        let erasure = &services.erasure;
        erasure.mark(me).await.or_gql()?;
        services.auth.end_all_sessions(me).await;
        tracing::info!(user_id = %me, "account deletion requested");
        erasure.resume(me).await.or_gql()?;
        Ok(DeleteMePayload {
            deleted_user_id: Some(ids::encode(Kind::User, me.get())),
            user_errors: Vec::new(),
        })
    }
}
