//! Registration, login, token refresh and logout.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use moneta_entities::{refresh_tokens, user_emails, users};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, SqlErr,
};
use secrecy::SecretString;

use super::{
    AccessTokens, AuthError, Email, Identity, LiveUsers, Password, PasswordHasher,
    REFRESH_TOKEN_TTL, RefreshToken, keyspace_id, user_id_of,
};
use crate::clock::SharedClock;
use crate::ports::{EventBus, UserEvent};
use crate::users::User;
use crate::{IdGenerator, UserId};

/// What a successful sign-in hands the client.
#[derive(Debug)]
pub struct Session {
    pub access_token: String,
    pub refresh_token: RefreshToken,
    pub expires_at: DateTime<Utc>,
    pub user: User,
}

#[derive(Debug, Clone)]
pub struct AuthService {
    db: DatabaseConnection,
    hasher: PasswordHasher,
    tokens: AccessTokens,
    live: LiveUsers,
    events: Arc<dyn EventBus>,
    ids: Arc<IdGenerator>,
    clock: SharedClock,
}

impl AuthService {
    pub fn new(
        db: DatabaseConnection,
        hasher: PasswordHasher,
        tokens: AccessTokens,
        events: Arc<dyn EventBus>,
        ids: Arc<IdGenerator>,
        clock: SharedClock,
    ) -> Self {
        Self {
            live: LiveUsers::new(db.clone()),
            db,
            hasher,
            tokens,
            events,
            ids,
            clock,
        }
    }

    /// The caller named by an access token, who must still be a user.
    pub async fn identify(&self, access_token: &str) -> Result<Identity, AuthError> {
        let identity = self.tokens.verify(access_token)?;
        if !self.live.is_live(identity.user_id).await? {
            tracing::info!(user_id = %identity.user_id, "access token of a user who does not exist");
            return Err(AuthError::Unauthenticated);
        }
        Ok(identity)
    }

    /// Whether `identity` still holds at this instant (a long-lived
    /// connection asks before each operation).
    pub fn still_valid(&self, identity: &Identity) -> bool {
        self.remaining(identity) > chrono::Duration::zero()
    }

    /// How long `identity` holds from now.
    pub fn remaining(&self, identity: &Identity) -> chrono::Duration {
        identity.valid_until - self.clock.now()
    }

    /// The user is being removed: their tokens stop working on this
    /// replica at once (elsewhere within [`super::live_users::BELIEVED_FOR`])
    /// and every live connection of theirs, on every replica, is ended.
    pub async fn end_all_sessions(&self, user: UserId) {
        self.live.forget(user);
        self.announce_end(user, None).await;
    }

    /// Tells every replica that a session (or, with `None`, all of the
    /// user's sessions) ended. Best effort: if the bus is down, a socket
    /// lives on until its token expires.
    async fn announce_end(&self, user: UserId, session: Option<i64>) {
        if let Err(error) = self
            .events
            .publish(user, UserEvent::SessionEnded { session })
            .await
        {
            tracing::warn!(user_id = %user, %error, "session end not announced");
        }
    }

    pub async fn register(
        &self,
        email: &str,
        password: SecretString,
    ) -> Result<Session, AuthError> {
        let email = Email::parse(email)?;
        let password = Password::parse(password, &email)?;
        // Cheap early answer before paying for a hash; the insert below is
        // what actually guarantees uniqueness.
        if self.email_claimed(&email).await? {
            return Err(AuthError::EmailTaken);
        }
        let phc = self.hasher.hash(password.expose().clone()).await?;
        let user = self.create_user(&email, phc).await?;
        self.start_session(user, None).await
    }

    /// Creates a user whose password is already hashed (`phc`, as
    /// [`PasswordHasher::hash`] writes it): what `register` does after
    /// its checks, and what `moneta seed` does for each synthetic user
    /// (one hash for all). [`AuthError::EmailTaken`] if the address is
    /// claimed.
    pub async fn create_user(&self, email: &Email, phc: String) -> Result<User, AuthError> {
        let now = self.clock.now();
        let user_id = UserId::new(self.ids.next_id());
        // Claim the address in the global lookup table first (its primary
        // key is the email, so two racing registrations cannot both win),
        // then create the user on its shard. The claim holds the user's
        // keyspace id, as vtgate's `consistent_lookup_unique` writes it:
        // under Vitess, vtgate's own lookup insert for the `users` row finds
        // this row, sees no owner row yet and the same keyspace id, and
        // keeps it; on plain MySQL/MariaDB and SQLite this claim alone makes
        // the email unique (vitess/README.md, "The email lookup vindex").
        let claim = user_emails::ActiveModel {
            email_normalized: Set(email.normalized().to_owned()),
            keyspace_id: Set(keyspace_id(user_id).to_vec()),
            created_at: Set(now),
        };
        if let Err(err) = user_emails::Entity::insert(claim).exec(&self.db).await {
            return Err(match err.sql_err() {
                Some(SqlErr::UniqueConstraintViolation(_)) => AuthError::EmailTaken,
                _ => err.into(),
            });
        }
        self.insert_user(user_id, email, phc, now).await
    }

    /// Finishes a [`AuthService::create_user`] that died between claiming
    /// the address and creating the user (a kill at that instant): the
    /// user is created under the id its claim holds, as the dead call
    /// would have. `None` when no claim is left without its user. For
    /// `moneta seed`, which makes its own addresses: a live registration
    /// of the address would race it.
    pub async fn complete_claimed_user(
        &self,
        email: &Email,
        phc: String,
    ) -> Result<Option<User>, AuthError> {
        if self.email_claimed(email).await? {
            return Ok(None);
        }
        let Some(claim) = user_emails::Entity::find_by_id(email.normalized().to_owned())
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let Some(user_id) = user_id_of(&claim.keyspace_id) else {
            return Ok(None);
        };
        let now = self.clock.now();
        self.insert_user(user_id, email, phc, now).await.map(Some)
    }

    /// The user row of a claimed address (the claim released if it fails).
    async fn insert_user(
        &self,
        user_id: UserId,
        email: &Email,
        phc: String,
        now: DateTime<Utc>,
    ) -> Result<User, AuthError> {
        let user = users::ActiveModel {
            id: Set(user_id.get()),
            email: Set(email.as_str().to_owned()),
            email_normalized: Set(email.normalized().to_owned()),
            password_hash: Set(phc),
            monthly_income_cents: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            last_active_at: Set(Some(now)),
            deleted_at: Set(None),
            home_currency: Set(crate::currency::Currency::USD.to_string()),
        };
        if let Err(err) = users::Entity::insert(user).exec(&self.db).await {
            // Release the claim so the address is not lost to a failed sign-up.
            let _ = user_emails::Entity::delete_by_id(email.normalized().to_owned())
                .exec(&self.db)
                .await;
            return Err(match err.sql_err() {
                Some(SqlErr::UniqueConstraintViolation(_)) => AuthError::EmailTaken,
                _ => err.into(),
            });
        }
        tracing::info!(user_id = %user_id, "user registered");
        Ok(User {
            id: user_id,
            email: email.as_str().to_owned(),
            created_at: now,
            monthly_income: None,
            home_currency: crate::currency::Currency::USD,
        })
    }

    /// The user who owns `email`, if any (a user being deleted included).
    pub async fn find_by_email(&self, email: &Email) -> Result<Option<UserId>, AuthError> {
        let found = users::Entity::find()
            .filter(users::Column::EmailNormalized.eq(email.normalized()))
            .one(&self.db)
            .await?;
        Ok(found.map(|u| UserId::new(u.id)))
    }

    pub async fn login(&self, email: &str, password: SecretString) -> Result<Session, AuthError> {
        // A malformed address cannot belong to anyone: answer exactly as for
        // an unknown one, after the same amount of work.
        let found = match Email::parse(email) {
            Ok(email) => {
                users::Entity::find()
                    .filter(users::Column::EmailNormalized.eq(email.normalized()))
                    .one(&self.db)
                    .await?
            }
            Err(_) => None,
        };
        let phc = found.as_ref().map(|u| u.password_hash.clone());
        let ok = self.hasher.verify(password, phc).await?;
        match found {
            // A user being deleted is refused like an unknown one.
            Some(user) if ok && user.deleted_at.is_none() => {
                tracing::info!(user_id = user.id, "user logged in");
                self.start_session(user.into(), None).await
            }
            _ => {
                tracing::info!("login refused");
                Err(AuthError::InvalidCredentials)
            }
        }
    }

    /// Exchanges a refresh token for a new pair. The old token is spent;
    /// presenting a spent token again revokes every token of its family.
    pub async fn refresh(&self, wire: &str) -> Result<Session, AuthError> {
        let presented = RefreshToken::parse(wire).ok_or(AuthError::InvalidCredentials)?;
        let user_id = presented.user_id();
        let row = refresh_tokens::Entity::find()
            .filter(refresh_tokens::Column::UserId.eq(user_id.get()))
            .filter(refresh_tokens::Column::TokenHash.eq(presented.hash()))
            .one(&self.db)
            .await?
            .ok_or(AuthError::InvalidCredentials)?;
        let now = self.clock.now();
        if row.revoked_at.is_some() {
            tracing::warn!(user_id = %user_id, family_id = row.family_id, "refresh token reuse: revoking family");
            self.revoke_family(user_id, row.family_id).await?;
            return Err(AuthError::InvalidCredentials);
        }
        if row.expires_at <= now {
            return Err(AuthError::InvalidCredentials);
        }
        // Spend the token. The condition makes the check and the write one
        // step: of two concurrent refreshes exactly one wins, and the other
        // is treated as reuse.
        let spent = refresh_tokens::Entity::update_many()
            .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(now))
            .filter(refresh_tokens::Column::UserId.eq(user_id.get()))
            .filter(refresh_tokens::Column::Id.eq(row.id))
            .filter(refresh_tokens::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        if spent.rows_affected != 1 {
            tracing::warn!(user_id = %user_id, family_id = row.family_id, "concurrent refresh token reuse: revoking family");
            self.revoke_family(user_id, row.family_id).await?;
            return Err(AuthError::InvalidCredentials);
        }
        let user = users::Entity::find_by_id(user_id.get())
            .one(&self.db)
            .await?
            .filter(|u| u.deleted_at.is_none())
            .ok_or(AuthError::InvalidCredentials)?;
        self.start_session(user.into(), Some(row.family_id)).await
    }

    /// Checks that `password` is `user`'s, for an operation that asks
    /// again (deleting the account). A wrong password, a missing or a
    /// deleted user all get [`AuthError::InvalidCredentials`], after the
    /// same amount of work.
    pub async fn confirm_password(
        &self,
        user: UserId,
        password: SecretString,
    ) -> Result<(), AuthError> {
        let found = users::Entity::find_by_id(user.get())
            .one(&self.db)
            .await?
            .filter(|u| u.deleted_at.is_none());
        let phc = found.map(|u| u.password_hash);
        if self.hasher.verify(password, phc).await? {
            Ok(())
        } else {
            tracing::info!(user_id = %user, "password confirmation refused");
            Err(AuthError::InvalidCredentials)
        }
    }

    /// Ends the session the refresh token belongs to. True when the token
    /// was recognised.
    pub async fn logout(&self, wire: &str) -> Result<bool, AuthError> {
        let Some(presented) = RefreshToken::parse(wire) else {
            return Ok(false);
        };
        let row = refresh_tokens::Entity::find()
            .filter(refresh_tokens::Column::UserId.eq(presented.user_id().get()))
            .filter(refresh_tokens::Column::TokenHash.eq(presented.hash()))
            .one(&self.db)
            .await?;
        let Some(row) = row else {
            return Ok(false);
        };
        self.revoke_family(presented.user_id(), row.family_id)
            .await?;
        tracing::info!(user_id = %presented.user_id(), "user logged out");
        Ok(true)
    }

    /// Whether a user has the address. Looked up in `users` by
    /// `email_normalized` (vtgate routes that through the lookup vindex to
    /// one shard), never by reading the lookup table, which holds a keyspace
    /// id and no user id. A claim still being registered is not seen here;
    /// the claim insert in [`Self::register`] is what refuses it.
    async fn email_claimed(&self, email: &Email) -> Result<bool, AuthError> {
        Ok(users::Entity::find()
            .filter(users::Column::EmailNormalized.eq(email.normalized()))
            .one(&self.db)
            .await?
            .is_some())
    }

    async fn revoke_family(&self, user_id: UserId, family_id: i64) -> Result<(), AuthError> {
        refresh_tokens::Entity::update_many()
            .col_expr(
                refresh_tokens::Column::RevokedAt,
                Expr::value(self.clock.now()),
            )
            .filter(refresh_tokens::Column::UserId.eq(user_id.get()))
            .filter(refresh_tokens::Column::FamilyId.eq(family_id))
            .filter(refresh_tokens::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        self.announce_end(user_id, Some(family_id)).await;
        Ok(())
    }

    /// Issues an access token and a refresh token (in `family`, or a new
    /// family for a fresh sign-in) and records the user as active.
    async fn start_session(&self, user: User, family: Option<i64>) -> Result<Session, AuthError> {
        let now = self.clock.now();
        let refresh = RefreshToken::mint(user.id);
        let id = self.ids.next_id();
        let family = family.unwrap_or(id);
        let row = refresh_tokens::ActiveModel {
            user_id: Set(user.id.get()),
            id: Set(id),
            family_id: Set(family),
            token_hash: Set(refresh.hash()),
            expires_at: Set(now + REFRESH_TOKEN_TTL),
            created_at: Set(now),
            revoked_at: Set(None),
        };
        refresh_tokens::Entity::insert(row).exec(&self.db).await?;
        users::Entity::update_many()
            .col_expr(users::Column::LastActiveAt, Expr::value(now))
            .filter(users::Column::Id.eq(user.id.get()))
            .exec(&self.db)
            .await?;
        let (access_token, expires_at) = self.tokens.issue(user.id, family)?;
        Ok(Session {
            access_token,
            refresh_token: refresh,
            expires_at,
            user,
        })
    }
}
