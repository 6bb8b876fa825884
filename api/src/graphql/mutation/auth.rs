use async_graphql::{Context, InputObject, Object, Result};
use moneta_core::auth::{AuthError, Session};
use secrecy::SecretString;

use crate::error::{OrGql as _, rate_limited, user_errors};
use crate::graphql::limits::REGISTER_PER_IP;
use crate::graphql::login_throttle::LoginThrottle;
use crate::graphql::rate_limit::rate_limit;
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

fn client_ip(ctx: &Context<'_>) -> Option<std::net::IpAddr> {
    ctx.data_opt::<ClientIp>().and_then(|c| c.0)
}

fn ip_key(ctx: &Context<'_>, action: &str) -> String {
    let ip = client_ip(ctx).map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
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
        let services = services(ctx)?;
        let throttle = LoginThrottle::new(&*services.rate_limiter, &input.email, client_ip(ctx));
        if let Some(wait) = throttle.admit().await.or_gql()? {
            return Err(rate_limited(wait));
        }
        let result = services
            .auth
            .login(&input.email, SecretString::from(input.password))
            .await;
        let recorded = match &result {
            Ok(_) => throttle.succeeded().await,
            Err(AuthError::InvalidCredentials) => throttle.failed().await,
            Err(_) => Ok(()),
        };
        if let Err(error) = recorded {
            // The answer stands; only the count is lost.
            tracing::warn!(%error, "sign-in attempt not recorded");
        }
        payload(result)
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
            .or_gql()
    }
}
