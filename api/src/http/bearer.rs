//! `Bearer <access token>`: how a caller names themselves, in the HTTP
//! `Authorization` header or the socket's `connection_init` payload.

use moneta_core::auth::{AuthError, AuthService, Identity};

/// The live user named by `credentials` (`Bearer <token>`); anything else —
/// absent, another scheme, a bad or expired token, a removed user — is
/// `Unauthenticated`.
pub async fn authenticate(
    auth: &AuthService,
    credentials: Option<&str>,
) -> Result<Identity, AuthError> {
    let token = credentials
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(AuthError::Unauthenticated)?;
    auth.identify(token.trim()).await
}
