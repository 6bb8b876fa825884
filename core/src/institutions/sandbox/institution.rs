//! [`SandboxInstitution`]: the connector over the generated history.

use async_trait::async_trait;
use chrono::NaiveDate;
use secrecy::ExposeSecret;

use super::cursor::Cursor;
use super::diff::{self, PAGE_SIZE};
use super::history::{self, HISTORY_DAYS};
use super::profile::Profile;
use crate::clock::SharedClock;
use crate::institutions::{
    Credentials, Institution, InstitutionError, LinkedAccount, LinkedLogin, ProviderTransaction,
    SyncPage,
};

/// The only password the sandbox accepts.
pub const PASSWORD_GOOD: &str = "pass_good";
/// A login that links but then always needs the user to sign in again.
pub const LOGIN_REQUIRED: &str = "user_login_required";
/// A login whose syncs deliver their first page, then lose the connection:
/// every later page of a sync is `Unavailable`.
pub const UNSTABLE: &str = "user_unstable";

/// The built-in, deterministic `sandbox` institution. Everything it
/// returns is a pure function of the login, the clock's current UTC date
/// and the cursor.
#[derive(Debug, Clone)]
pub struct SandboxInstitution {
    clock: SharedClock,
    shape: SandboxShape,
}

/// How much history a first sync delivers, and in what pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SandboxShape {
    /// Days up to today that a first sync delivers.
    pub history_days: i64,
    /// Changes per page, at most (a transaction's changes stay together).
    pub page_size: usize,
}

impl Default for SandboxShape {
    /// What the `sandbox` institution serves: [`HISTORY_DAYS`] in pages of
    /// [`PAGE_SIZE`].
    fn default() -> Self {
        Self {
            history_days: HISTORY_DAYS,
            page_size: PAGE_SIZE,
        }
    }
}

impl SandboxInstitution {
    pub fn new(clock: SharedClock) -> Self {
        Self::with_shape(clock, SandboxShape::default())
    }

    /// The same logins and data over another window or page size (e.g.
    /// `moneta seed`'s months of history, in a production connector's
    /// pages).
    pub fn with_shape(clock: SharedClock, shape: SandboxShape) -> Self {
        Self { clock, shape }
    }

    /// The full state of `login` as of `as_of`: what a first sync on that
    /// date delivers over all its pages, ordered by date then id. For
    /// tests that want exact counts or amounts.
    pub fn transactions_as_of(login: &str, as_of: NaiveDate) -> Vec<ProviderTransaction> {
        history::state(&Profile::new(login), as_of)
    }

    /// Everything a first sync of `login` delivers today, over all its
    /// pages (in this institution's shape).
    pub fn first_sync(&self, login: &str) -> Vec<ProviderTransaction> {
        let today = self.clock.now().date_naive();
        history::state_over(&Profile::new(login), today, self.shape.history_days)
    }

    fn check(credentials: &Credentials) -> Result<(), InstitutionError> {
        if credentials.password.expose_secret() == PASSWORD_GOOD {
            Ok(())
        } else {
            Err(InstitutionError::LoginFailed)
        }
    }
}

#[async_trait]
impl Institution for SandboxInstitution {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    async fn link(&self, credentials: &Credentials) -> Result<LinkedLogin, InstitutionError> {
        Self::check(credentials)?;
        let profile = Profile::new(&credentials.login);
        let digits = profile.account_digits();
        Ok(LinkedLogin {
            accounts: vec![LinkedAccount {
                external_id: credentials.login.clone(),
                display_name: format!("Sandbox {} ••{digits:04}", profile.household.kind()),
                currency: None,
            }],
            access_token: None,
        })
    }

    async fn sync(
        &self,
        credentials: &Credentials,
        cursor: Option<&str>,
    ) -> Result<SyncPage, InstitutionError> {
        Self::check(credentials)?;
        if credentials.login == LOGIN_REQUIRED {
            return Err(InstitutionError::LoginRequired);
        }
        let today = self.clock.now().date_naive();
        let position = match cursor.map(Cursor::decode).transpose()? {
            None => Cursor {
                from: None,
                to: today,
                offset: 0,
            },
            // A finished sync: start the next one, towards today (never
            // backwards, should the clock have gone back).
            Some(done) if done.is_settled() => {
                if done.offset != 0 {
                    return Err(InstitutionError::InvalidCursor);
                }
                Cursor {
                    from: done.from,
                    to: today.max(done.to),
                    offset: 0,
                }
            }
            // The middle of a sync: its target stays fixed.
            Some(resume) => resume,
        };
        if credentials.login == UNSTABLE && position.offset > 0 {
            return Err(InstitutionError::Unavailable(
                "the sandbox dropped the connection".into(),
            ));
        }

        let profile = Profile::new(&credentials.login);
        let groups = match position.from {
            None => diff::initial(&profile, position.to, self.shape.history_days),
            Some(from) => diff::between(&profile, from, position.to),
        };
        if position.offset > groups.len() {
            return Err(InstitutionError::InvalidCursor);
        }
        let (mut page, next) = diff::page(&groups, position.offset, self.shape.page_size);
        let next_cursor = if page.has_more {
            Cursor {
                offset: next,
                ..position
            }
        } else {
            Cursor::settled(position.to)
        };
        page.next_cursor = next_cursor.encode();
        Ok(page)
    }
}
