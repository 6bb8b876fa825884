//! Making one planned user exist, through the product's own services.

use secrecy::SecretString;

use super::{SeedError, SeedPlan};
use crate::accounts::{self, AccountService, AccountStatus, LinkRequest};
use crate::auth::{AuthError, AuthService, Email};
use crate::institutions::sandbox::PASSWORD_GOOD;

/// The institution seeded accounts are linked at.
const INSTITUTION: &str = "sandbox";

/// Makes planned users with the product's services: the user as
/// `register` makes it (with one password hash for all), each account as
/// `linkAccount` links it, its sync queued on `accounts.queue`.
#[derive(Debug, Clone)]
pub struct Seeder {
    pub plan: SeedPlan,
    pub auth: AuthService,
    pub accounts: AccountService,
    /// The hash of the password every seeded user has.
    pub phc: String,
}

/// What preparing a user did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prepared {
    /// The user was created now (not by an earlier run).
    pub created: bool,
    /// Syncs queued: the user's accounts not synced yet.
    pub queued: usize,
}

impl Seeder {
    /// Makes user `n` and its accounts exist, and queues a sync of each
    /// account that has not finished one. Idempotent: a rerun finds what
    /// an earlier run made (an account left SYNCING by a crash is linked
    /// again, and its sync resumes from its cursor), so a seed can stop at
    /// any instant and resume without duplicating anything.
    pub async fn prepare(&self, n: u64) -> Result<Prepared, SeedError> {
        let auth = |source: AuthError| SeedError::Auth { user: n, source };
        let email = Email::parse(&SeedPlan::email(n)).map_err(|e| auth(e.into()))?;
        let (user, created) = match self.auth.create_user(&email, self.phc.clone()).await {
            Ok(user) => (user.id, true),
            Err(AuthError::EmailTaken) => match self.auth.find_by_email(&email).await {
                Ok(Some(user)) => (user, false),
                // Killed between the claim and the user: finish it.
                Ok(None) => match self
                    .auth
                    .complete_claimed_user(&email, self.phc.clone())
                    .await
                {
                    Ok(Some(user)) => (user.id, true),
                    Ok(None) => return Err(SeedError::OrphanClaim { user: n }),
                    Err(e) => return Err(auth(e)),
                },
                Err(e) => return Err(auth(e)),
            },
            Err(e) => return Err(auth(e)),
        };
        let existing = accounts::list(&self.accounts.db, user).await?;
        let mut queued = 0;
        for login in self.plan.logins(n) {
            let synced = existing.iter().any(|a| {
                a.institution == INSTITUTION
                    && a.login == login
                    && a.status == AccountStatus::Active
                    && a.last_synced_at.is_some()
            });
            if synced {
                continue;
            }
            let request = LinkRequest {
                institution: INSTITUTION.to_owned(),
                login,
                password: SecretString::from(PASSWORD_GOOD),
            };
            self.accounts
                .link(user, request)
                .await
                .map_err(|source| SeedError::Account { user: n, source })?;
            queued += 1;
        }
        Ok(Prepared { created, queued })
    }
}
