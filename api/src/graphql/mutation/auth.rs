use async_graphql::{Context, InputObject, Object, Result};
use moneta_core::auth::{AuthError, Session};
use secrecy::SecretString;

use crate::error::{gql_error, user_errors};
use crate::graphql::services;
use crate::graphql::types::AuthPayload;

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

#[Object]
impl AuthMutation {
    /// Creates an account and signs it in.
    async fn register(&self, ctx: &Context<'_>, input: RegisterInput) -> Result<AuthPayload> {
        let auth = &services(ctx)?.auth;
        payload(
            auth.register(&input.email, SecretString::from(input.password))
                .await,
        )
    }

    /// Signs in. A wrong password and an unknown email get the same answer.
    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> Result<AuthPayload> {
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
