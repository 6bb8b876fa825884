use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use moneta_core::ErrorCode;
use moneta_core::accounts::{AccountError, LinkRequest};
use secrecy::SecretString;

use crate::error::{coded, user_errors};
use crate::graphql::ids::{self, Kind};
use crate::graphql::limits::{LINK_PER_USER, REFRESH_PER_USER};
use crate::graphql::rate_limit::rate_limit;
use crate::graphql::types::{Account, UserError};
use crate::graphql::{identity, services};

#[derive(InputObject)]
pub struct LinkAccountInput {
    pub institution: String,
    pub login: String,
    pub password: String,
}

#[derive(SimpleObject)]
pub struct LinkAccountPayload {
    /// The first (often the only) account the login brought.
    pub account: Option<Account>,
    /// Every account the login brought: an aggregator's connection can
    /// hold several (a checking account, a card, savings).
    pub accounts: Vec<Account>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct RefreshAccountInput {
    pub account_id: ID,
}

#[derive(SimpleObject)]
pub struct RefreshAccountPayload {
    pub account: Option<Account>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct UnlinkAccountInput {
    pub account_id: ID,
}

#[derive(SimpleObject)]
pub struct UnlinkAccountPayload {
    pub deleted_account_id: Option<ID>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct AccountMutation;

fn not_found() -> async_graphql::Error {
    coded(ErrorCode::NotFound, "account not found")
}

/// An unknown account is a top-level NOT_FOUND; business failures are
/// `userErrors`.
fn failure(err: AccountError) -> Result<Vec<UserError>> {
    match err {
        AccountError::NotFound => Err(not_found()),
        other => user_errors(other),
    }
}

#[Object]
impl AccountMutation {
    /// Links a bank login. The bank checks it first; a refused login stores
    /// nothing. Each account it brings starts SYNCING (for `simplefin`, the
    /// password is the SimpleFIN setup token, exchanged once for an access
    /// token kept sealed; the login is not used). At most
    /// [`LINK_PER_USER`] attempts per user and hour (RATE_LIMITED). When its
    /// sync cannot be queued (the queue is away) nothing is linked or
    /// changed and the error is UNAVAILABLE: try again shortly.
    async fn link_account(
        &self,
        ctx: &Context<'_>,
        input: LinkAccountInput,
    ) -> Result<LinkAccountPayload> {
        let me = identity(ctx)?.user_id;
        rate_limit(ctx, &[(format!("link:user:{me}"), LINK_PER_USER)]).await?;
        let request = LinkRequest {
            institution: input.institution,
            login: input.login,
            password: SecretString::from(input.password),
        };
        Ok(
            match services(ctx)?.account_links.link_all(me, request).await {
                Ok(accounts) => LinkAccountPayload {
                    account: accounts.first().cloned().map(Account),
                    accounts: accounts.into_iter().map(Account).collect(),
                    user_errors: Vec::new(),
                },
                Err(err) => LinkAccountPayload {
                    account: None,
                    accounts: Vec::new(),
                    user_errors: failure(err)?,
                },
            },
        )
    }

    /// Queues a sync of one of the caller's accounts now. At most
    /// [`REFRESH_PER_USER`] per user and hour (RATE_LIMITED); UNAVAILABLE
    /// when the sync cannot be queued now (try again shortly).
    async fn refresh_account(
        &self,
        ctx: &Context<'_>,
        input: RefreshAccountInput,
    ) -> Result<RefreshAccountPayload> {
        let me = identity(ctx)?.user_id;
        rate_limit(ctx, &[(format!("refresh:user:{me}"), REFRESH_PER_USER)]).await?;
        let id = ids::decode_as(Kind::Account, &input.account_id).ok_or_else(not_found)?;
        Ok(match services(ctx)?.account_links.refresh(me, id).await {
            Ok(account) => RefreshAccountPayload {
                account: Some(Account(account)),
                user_errors: Vec::new(),
            },
            Err(err) => RefreshAccountPayload {
                account: None,
                user_errors: failure(err)?,
            },
        })
    }

    /// Removes an account with its transactions.
    async fn unlink_account(
        &self,
        ctx: &Context<'_>,
        input: UnlinkAccountInput,
    ) -> Result<UnlinkAccountPayload> {
        let me = identity(ctx)?.user_id;
        let id = ids::decode_as(Kind::Account, &input.account_id).ok_or_else(not_found)?;
        Ok(match services(ctx)?.account_links.unlink(me, id).await {
            Ok(()) => UnlinkAccountPayload {
                deleted_account_id: Some(input.account_id),
                user_errors: Vec::new(),
            },
            Err(err) => UnlinkAccountPayload {
                deleted_account_id: None,
                user_errors: failure(err)?,
            },
        })
    }
}
