//! The caller's own account: its home currency, and deleting it.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use moneta_core::currency::Currency;
use moneta_core::{UserError as CoreUserError, UserErrorCode};
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

#[derive(InputObject)]
pub struct SetHomeCurrencyInput {
    /// An ISO 4217 code: `USD`, `EUR`, `GBP`…
    pub currency: String,
}

#[derive(SimpleObject)]
pub struct SetHomeCurrencyPayload {
    /// The home currency now; null when nothing changed.
    pub home_currency: Option<String>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct MeMutation;

#[Object]
impl MeMutation {
    /// Sets the currency your spending and budgets count. Every month is
    /// recomputed at once; accounts in other currencies are listed apart
    /// (`Budget.leftOut`). Amounts are never converted.
    async fn set_home_currency(
        &self,
        ctx: &Context<'_>,
        input: SetHomeCurrencyInput,
    ) -> Result<SetHomeCurrencyPayload> {
        let me = identity(ctx)?.user_id;
        let currency = match input.currency.parse::<Currency>() {
            Ok(currency) => currency,
            Err(err) => {
                let error = UserError::from(
                    CoreUserError::new(UserErrorCode::Invalid, err.to_string())
                        .at(&["input", "currency"]),
                );
                return Ok(SetHomeCurrencyPayload {
                    home_currency: None,
                    user_errors: vec![error],
                });
            }
        };
        let set = services(ctx)?
            .budgets
            .set_home_currency(me, currency)
            .await
            .or_gql()?;
        Ok(SetHomeCurrencyPayload {
            home_currency: Some(set.to_string()),
            user_errors: Vec::new(),
        })
    }

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
