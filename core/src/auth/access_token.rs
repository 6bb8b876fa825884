//! Access tokens: short-lived JWTs (HS256) that name the user.

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::AuthError;
use crate::UserId;
use crate::clock::SharedClock;
use crate::error::InternalError;

/// How long an access token lives.
pub const ACCESS_TOKEN_TTL: chrono::Duration = chrono::Duration::minutes(15);
const ISSUER: &str = "moneta";
const AUDIENCE: &str = "moneta-api";
/// Clock skew tolerated between replicas.
const LEEWAY_SECS: i64 = 30;

/// Who is calling: built only from a verified access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    pub user_id: UserId,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    iss: String,
    aud: String,
    iat: i64,
    exp: i64,
}

/// Issues and verifies access tokens with one symmetric key.
#[derive(Clone)]
pub struct AccessTokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    clock: SharedClock,
}

impl std::fmt::Debug for AccessTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessTokens(<key redacted>)")
    }
}

impl AccessTokens {
    pub fn new(secret: &SecretString, clock: SharedClock) -> Self {
        let key = secret.expose_secret().as_bytes();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["sub", "exp", "iss", "aud"]);
        // Expiry is checked against the clock port below, not the OS clock.
        validation.validate_exp = false;
        Self {
            encoding: EncodingKey::from_secret(key),
            decoding: DecodingKey::from_secret(key),
            validation,
            clock,
        }
    }

    /// A token for `user` and the instant it expires.
    pub fn issue(&self, user: UserId) -> Result<(String, DateTime<Utc>), AuthError> {
        let now = self.clock.now();
        let expires_at = now + ACCESS_TOKEN_TTL;
        let claims = Claims {
            sub: user.to_string(),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(InternalError::TokenSigning)?;
        Ok((token, expires_at))
    }

    /// The caller named by a valid token. Any defect — bad signature, other
    /// algorithm (`none` included), wrong issuer or audience, expiry — is
    /// `Unauthenticated`, with no detail for the caller.
    pub fn verify(&self, token: &str) -> Result<Identity, AuthError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| {
                tracing::debug!(error = %e, "access token rejected");
                AuthError::Unauthenticated
            })?;
        if data.claims.exp + LEEWAY_SECS <= self.clock.now().timestamp() {
            return Err(AuthError::Unauthenticated);
        }
        let user_id = data
            .claims
            .sub
            .parse::<i64>()
            .map_err(|_| AuthError::Unauthenticated)?;
        Ok(Identity {
            user_id: UserId::new(user_id),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;
    use crate::clock::{Clock as _, FixedClock};

    fn tokens(secret: &str, clock: &FixedClock) -> AccessTokens {
        AccessTokens::new(
            &SecretString::from(secret.to_owned()),
            Arc::new(clock.clone()),
        )
    }

    fn clock() -> FixedClock {
        FixedClock::new(
            DateTime::parse_from_rfc3339("2026-11-28T12:00:00Z")
                .unwrap()
                .into(),
        )
    }

    #[test]
    fn round_trips_the_user() {
        let clock = clock();
        let t = tokens("a-secret-that-is-long-enough-0123456789", &clock);
        let (token, exp) = t.issue(UserId::new(42)).unwrap();
        assert_eq!(exp, clock.now() + ACCESS_TOKEN_TTL);
        assert_eq!(t.verify(&token).unwrap().user_id, UserId::new(42));
    }

    #[test]
    fn expires_after_fifteen_minutes() {
        let clock = clock();
        let t = tokens("a-secret-that-is-long-enough-0123456789", &clock);
        let (token, _) = t.issue(UserId::new(1)).unwrap();
        clock.advance(chrono::Duration::minutes(14));
        assert!(t.verify(&token).is_ok());
        clock.advance(chrono::Duration::minutes(2));
        assert!(matches!(t.verify(&token), Err(AuthError::Unauthenticated)));
    }

    #[test]
    fn rejects_another_key_a_tampered_payload_and_alg_none() {
        let clock = clock();
        let t = tokens("a-secret-that-is-long-enough-0123456789", &clock);
        let other = tokens("another-secret-that-is-long-enough-xyz", &clock);
        let (token, _) = other.issue(UserId::new(1)).unwrap();
        assert!(t.verify(&token).is_err());

        let (token, _) = t.issue(UserId::new(1)).unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        let forged = URL_SAFE_NO_PAD.encode(payload.replace("\"1\"", "\"2\""));
        assert!(
            t.verify(&format!("{}.{}.{}", parts[0], forged, parts[2]))
                .is_err()
        );

        let none = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        assert!(t.verify(&format!("{none}.{}.", parts[1])).is_err());
        assert!(t.verify("not a token").is_err());
    }
}
