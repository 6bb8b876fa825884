use async_graphql::SimpleObject;
use chrono::{DateTime, Utc};
use moneta_core::auth::Session;

use super::{User, UserError};

/// The answer to `register`, `login` and `refreshToken`.
#[derive(SimpleObject, Default)]
pub struct AuthPayload {
    /// A JWT for `Authorization: Bearer …`; lives 15 minutes.
    pub access_token: Option<String>,
    /// Opaque; exchange it with `refreshToken` (once: it rotates).
    pub refresh_token: Option<String>,
    /// When the access token expires.
    pub expires_at: Option<DateTime<Utc>>,
    pub user: Option<User>,
    pub user_errors: Vec<UserError>,
}

impl From<Session> for AuthPayload {
    fn from(s: Session) -> Self {
        Self {
            access_token: Some(s.access_token),
            refresh_token: Some(s.refresh_token.expose().to_owned()),
            expires_at: Some(s.expires_at),
            user: Some(User(s.user)),
            user_errors: Vec::new(),
        }
    }
}

impl AuthPayload {
    pub fn failed(user_errors: Vec<UserError>) -> Self {
        Self {
            user_errors,
            ..Self::default()
        }
    }
}
