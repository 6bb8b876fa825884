use async_graphql::{Context, ErrorExtensions as _, InputObject, Object, Result};
use moneta_core::auth::{AuthError, Session};
use secrecy::SecretString;

use crate::error::{gql_error, user_errors};
use crate::graphql::limits::{LOGIN_PER_EMAIL, LOGIN_PER_IP, REGISTER_PER_IP};
use crate::graphql::services;
use crate::graphql::types::AuthPayload;
use crate::state::ClientIp;

#[derive(InputObject)]
pub struct RegisterInput {
    pub email: String,
    pub password: String,
}

#[derive(InputObject)]
pub struct LoginInput {
    pub email: String,
    pub password: String,
}

#[derive(InputObject)]
pub struct RefreshTokenInput {
    pub refresh_token: String,
}

#[derive(Default)]
pub struct AuthMutation;

fn payload(result: Result<Session, AuthError>) -> Result<AuthPayload> {
    match result {
        Ok(session) => Ok(session.into()),
        Err(err) => Ok(AuthPayload::failed(user_errors(err)?)),
    }
}

/// Counts one attempt against each `(key, limit)`; the first exhausted
/// one refuses the request with RATE_LIMITED and `retryAfter` (seconds).
pub(super) async fn rate_limit(ctx: &Context<'_>, checks: &[(String, (u32, u64))]) -> Result<()> {
    let limiter = &services(ctx)?.rate_limiter;
    for (key, (limit, window)) in checks {
        let refused = limiter
            .hit(key, *limit, std::time::Duration::from_secs(*window))
            .await
            .map_err(|e| gql_error(&e))?;
        if let Some(retry_after) = refused {
            let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
            return Err(
                async_graphql::Error::new("too many attempts; retry later").extend_with(
                    |_, ext| {
                        ext.set("code", moneta_core::ErrorCode::RateLimited.as_str());
                        ext.set("retryAfter", seconds);
                    },
                ),
            );
        }
    }
    Ok(())
}

fn ip_key(ctx: &Context<'_>, action: &str) -> String {
    let ip = ctx
        .data_opt::<ClientIp>()
        .and_then(|c| c.0)
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    format!("{action}:ip:{ip}")
}

#[Object]
impl AuthMutation {
    /// Creates an account and signs it in.
    async fn register(&self, ctx: &Context<'_>, input: RegisterInput) -> Result<AuthPayload> {
        rate_limit(ctx, &[(ip_key(ctx, "register"), REGISTER_PER_IP)]).await?;
        let auth = &services(ctx)?.auth;
        payload(
            auth.register(&input.email, SecretString::from(input.password))
                .await,
        )
    }

    /// Signs in. A wrong password and an unknown email get the same answer.
    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> Result<AuthPayload> {
        let email = input.email.trim().to_lowercase();
        rate_limit(
            ctx,
            &[
                (ip_key(ctx, "login"), LOGIN_PER_IP),
                (format!("login:email:{email}"), LOGIN_PER_EMAIL),
            ],
        )
        .await?;
        let auth = &services(ctx)?.auth;
        payload(
            auth.login(&input.email, SecretString::from(input.password))
                .await,
        )
    }

    /// Exchanges a refresh token for a new pair. Each refresh token works
    /// once; replaying a spent one ends the whole session.
    async fn refresh_token(
        &self,
        ctx: &Context<'_>,
        input: RefreshTokenInput,
    ) -> Result<AuthPayload> {
        payload(services(ctx)?.auth.refresh(&input.refresh_token).await)
    }

    /// Ends the session the refresh token belongs to. True when the token
    /// was recognised.
    async fn logout(&self, ctx: &Context<'_>, input: RefreshTokenInput) -> Result<bool> {
        services(ctx)?
            .auth
            .logout(&input.refresh_token)
            .await
            .map_err(|e| gql_error(&e))
    }
}
