//! Access tokens: short-lived JWTs (HS256) that name the user and the
//! session (refresh-token family) they were issued in.

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use moka::sync::Cache;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::AuthError;
use crate::UserId;
use crate::clock::SharedClock;
use crate::error::InternalError;

/// How long an access token lives unless configured otherwise
/// (`MONETA_ACCESS_TOKEN_TTL_SECS`).
pub const ACCESS_TOKEN_TTL: chrono::Duration = chrono::Duration::minutes(15);
const ISSUER: &str = "moneta";
const AUDIENCE: &str = "moneta-api";
/// Clock skew tolerated between replicas.
const LEEWAY_SECS: i64 = 30;
/// Verified tokens remembered per process.
const VERIFIED_CAPACITY: u64 = 100_000;

/// Who is calling: built only from a verified access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    pub user_id: UserId,
    /// The session: the refresh-token family the token was issued in.
    /// Logging out or revoking the family ends it.
    pub session: i64,
    /// From this instant on the token is refused.
    pub valid_until: DateTime<Utc>,
}

/// The claims, all required. The times are integers (seconds since the
/// epoch): a string or fractional `exp`, `nbf` or `iat` fails to decode,
/// so the token is refused rather than a time check skipped.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    iss: String,
    aud: String,
    iat: i64,
    nbf: i64,
    exp: i64,
    sid: i64,
}

/// Issues and verifies access tokens with one symmetric key.
#[derive(Clone)]
pub struct AccessTokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    clock: SharedClock,
    ttl: chrono::Duration,
    /// Tokens already verified, with what they proved: a client sends the
    /// same token with every request until it refreshes it, and its
    /// signature and claims cannot change. Only the time is checked again.
    verified: Cache<String, Identity>,
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
        validation.set_required_spec_claims(&["sub", "exp", "nbf", "iss", "aud"]);
        // The times are checked against the clock port below, not the OS
        // clock.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        Self {
            encoding: EncodingKey::from_secret(key),
            decoding: DecodingKey::from_secret(key),
            validation,
            clock,
            ttl: ACCESS_TOKEN_TTL,
            verified: verified_cache(ACCESS_TOKEN_TTL),
        }
    }

    /// Tokens issued from now on live `ttl`; a token that says it lives
    /// longer is refused.
    #[must_use]
    pub fn with_ttl(mut self, ttl: chrono::Duration) -> Self {
        self.ttl = ttl;
        self.verified = verified_cache(ttl);
        self
    }

    /// A token for `user` in `session` and the instant it expires.
    pub fn issue(&self, user: UserId, session: i64) -> Result<(String, DateTime<Utc>), AuthError> {
        let now = self.clock.now();
        let expires_at = now + self.ttl;
        let claims = Claims {
            sub: user.to_string(),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            iat: now.timestamp(),
            nbf: now.timestamp(),
            exp: expires_at.timestamp(),
            sid: session,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(InternalError::TokenSigning)?;
        Ok((token, expires_at))
    }

    /// The caller named by a valid token. Any defect — bad signature, other
    /// algorithm (`none` included), wrong issuer or audience, a missing or
    /// non-numeric time, expiry, a `nbf` or `iat` in the future, a lifetime
    /// longer than tokens are issued for — is `Unauthenticated`, with no
    /// detail for the caller.
    pub fn verify(&self, token: &str) -> Result<Identity, AuthError> {
        if let Some(identity) = self.verified.get(token) {
            if self.clock.now() < identity.valid_until {
                return Ok(identity);
            }
            self.verified.invalidate(token);
            tracing::debug!(reason = "expired", "access token rejected");
            return Err(AuthError::Unauthenticated);
        }
        let identity = self.decode(token)?;
        self.verified.insert(token.to_owned(), identity);
        Ok(identity)
    }

    fn decode(&self, token: &str) -> Result<Identity, AuthError> {
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| {
                tracing::debug!(error = %e, "access token rejected");
                AuthError::Unauthenticated
            })?
            .claims;
        let now = self.clock.now().timestamp();
        let refused = |reason: &'static str| {
            tracing::debug!(reason, "access token rejected");
            AuthError::Unauthenticated
        };
        if claims.exp.saturating_add(LEEWAY_SECS) <= now {
            return Err(refused("expired"));
        }
        if claims.nbf > now.saturating_add(LEEWAY_SECS) {
            return Err(refused("not yet valid"));
        }
        if claims.iat > now.saturating_add(LEEWAY_SECS) {
            return Err(refused("issued in the future"));
        }
        if claims.exp.saturating_sub(claims.iat) > self.ttl.num_seconds() {
            return Err(refused("lives longer than issued tokens"));
        }
        let user_id = claims
            .sub
            .parse::<i64>()
            .map_err(|_| refused("subject is not a user id"))?;
        let valid_until = DateTime::from_timestamp(claims.exp.saturating_add(LEEWAY_SECS), 0)
            .ok_or_else(|| refused("expiry out of range"))?;
        Ok(Identity {
            user_id: UserId::new(user_id),
            session: claims.sid,
            valid_until,
        })
    }
}

/// Verified tokens kept per process: at most [`VERIFIED_CAPACITY`], each
/// no longer than a token lives.
fn verified_cache(ttl: chrono::Duration) -> Cache<String, Identity> {
    let lives = ttl
        .checked_add(&chrono::Duration::seconds(LEEWAY_SECS))
        .and_then(|d| d.to_std().ok())
        .unwrap_or(std::time::Duration::from_secs(60));
    Cache::builder()
        .max_capacity(VERIFIED_CAPACITY)
        .time_to_live(lives)
        .build()
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
        let (token, exp) = t.issue(UserId::new(42), 7).unwrap();
        assert_eq!(exp, clock.now() + ACCESS_TOKEN_TTL);
        let identity = t.verify(&token).unwrap();
        assert_eq!(identity.user_id, UserId::new(42));
        assert_eq!(identity.session, 7);
        assert_eq!(
            identity.valid_until,
            exp + chrono::Duration::seconds(LEEWAY_SECS)
        );
    }

    #[test]
    fn expires_after_fifteen_minutes() {
        let clock = clock();
        let t = tokens("a-secret-that-is-long-enough-0123456789", &clock);
        let (token, _) = t.issue(UserId::new(1), 7).unwrap();
        clock.advance(chrono::Duration::minutes(14));
        assert!(t.verify(&token).is_ok());
        clock.advance(chrono::Duration::minutes(2));
        assert!(matches!(t.verify(&token), Err(AuthError::Unauthenticated)));
    }

    #[test]
    fn a_configured_lifetime_is_issued_and_enforced() {
        let clock = clock();
        let secret = "a-secret-that-is-long-enough-0123456789";
        let short = tokens(secret, &clock).with_ttl(chrono::Duration::seconds(20));
        let (token, expires_at) = short.issue(UserId::new(1), 7).unwrap();
        assert_eq!(expires_at, clock.now() + chrono::Duration::seconds(20));
        // A replica issuing longer-lived tokens is not believed.
        let (long_lived, _) = tokens(secret, &clock).issue(UserId::new(1), 7).unwrap();
        assert!(matches!(
            short.verify(&long_lived),
            Err(AuthError::Unauthenticated)
        ));
        assert!(short.verify(&token).is_ok());
        clock.advance(chrono::Duration::seconds(20 + LEEWAY_SECS));
        assert!(matches!(
            short.verify(&token),
            Err(AuthError::Unauthenticated)
        ));
    }

    #[test]
    fn rejects_another_key_a_tampered_payload_and_alg_none() {
        let clock = clock();
        let t = tokens("a-secret-that-is-long-enough-0123456789", &clock);
        let other = tokens("another-secret-that-is-long-enough-xyz", &clock);
        let (token, _) = other.issue(UserId::new(1), 7).unwrap();
        assert!(t.verify(&token).is_err());

        let (token, _) = t.issue(UserId::new(1), 7).unwrap();
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

    /// A token with `claims` signed with the right key: only the claims
    /// can be wrong.
    fn signed(secret: &str, claims: &serde_json::Value) -> String {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            claims,
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    }

    #[test]
    fn refuses_times_that_are_strings_missing_or_in_the_future() {
        const SECRET: &str = "a-secret-that-is-long-enough-0123456789";
        let clock = clock();
        let t = tokens(SECRET, &clock);
        let now = clock.now().timestamp();
        let good = serde_json::json!({
            "sub": "1", "iss": ISSUER, "aud": AUDIENCE, "sid": 3,
            "iat": now, "nbf": now, "exp": now + 900,
        });
        assert!(t.verify(&signed(SECRET, &good)).is_ok());
        let with = |key: &str, value: serde_json::Value| {
            let mut claims = good.clone();
            claims[key] = value;
            signed(SECRET, &claims)
        };
        let without = |key: &str| {
            let mut claims = good.clone();
            claims.as_object_mut().unwrap().remove(key);
            signed(SECRET, &claims)
        };
        let refused = [
            (
                "string nbf an hour ahead",
                with("nbf", (now + 3600).to_string().into()),
            ),
            (
                "numeric nbf an hour ahead",
                with("nbf", (now + 3600).into()),
            ),
            ("string exp", with("exp", (now + 900).to_string().into())),
            (
                "fractional exp",
                with("exp", serde_json::json!(now as f64 + 900.5)),
            ),
            ("iat in the future", with("iat", (now + 600).into())),
            ("lives a day", with("exp", (now + 86_400).into())),
            ("no nbf", without("nbf")),
            ("no iat", without("iat")),
            ("no session", without("sid")),
            ("other issuer", with("iss", "someone-else".into())),
            ("other audience", with("aud", "another-api".into())),
        ];
        for (case, token) in refused {
            assert!(
                matches!(t.verify(&token), Err(AuthError::Unauthenticated)),
                "{case} was accepted"
            );
        }
        // Within the tolerated skew, a token from a replica a little ahead
        // is accepted.
        assert!(t.verify(&with("nbf", (now + 10).into())).is_ok());
    }
}
