use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::currency::Currency;
use crate::money::Money;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// What a user gave us to reach their bank. Never logged, never returned.
#[derive(Clone)]
pub struct Credentials {
    pub login: String,
    pub password: SecretString,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Credentials(<redacted>)")
    }
}

/// A login the institution accepted: the accounts it brings, and what to
/// keep to sync them.
#[derive(Debug, Clone)]
pub struct LinkedLogin {
    /// At least one. Each becomes a Moneta account, synced with its
    /// `external_id` as the login.
    pub accounts: Vec<LinkedAccount>,
    /// What to keep, sealed, instead of the password the user gave: an
    /// aggregator's access token (SimpleFIN's access URL, Plaid's
    /// `access_token`). `None` keeps the password (the sandbox).
    pub access_token: Option<SecretString>,
}

/// One account a link brings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedAccount {
    /// The institution's id of the account; unique per login.
    pub external_id: String,
    /// A name for the account, e.g. `Sandbox Checking ••1234`.
    pub display_name: String,
    /// The currency of its amounts, when the institution says.
    pub currency: Option<Currency>,
}

/// A transaction as the institution reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderTransaction {
    /// Stable id at the institution; unique per account.
    pub provider_id: String,
    pub pending: bool,
    /// For a posted transaction that replaced a pending one: that one's id.
    pub pending_transaction_id: Option<String>,
    pub posted_at: DateTime<Utc>,
    /// The seller as the bank prints it (messy).
    pub seller: String,
    /// Positive is money spent, negative money received.
    #[serde(rename = "amount_cents")]
    pub amount: Money,
    /// The institution marks it as a transfer between the customer's own
    /// accounts or a card payment (where it knows).
    #[serde(default)]
    pub transfer_hint: bool,
}

/// One page of an incremental sync.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SyncPage {
    pub added: Vec<ProviderTransaction>,
    pub modified: Vec<ProviderTransaction>,
    /// Provider ids of transactions that no longer exist (or were pending
    /// and have posted under a new id).
    pub removed: Vec<String>,
    /// Ask with this next; store it once this page is committed.
    pub next_cursor: String,
    pub has_more: bool,
    /// What the institution wants the user to know (SimpleFIN's
    /// `errlist`: "this connection needs attention"), said in the sync's
    /// notification.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InstitutionError {
    /// The institution refused the login and password.
    #[error("the institution refused the login")]
    LoginFailed,
    /// The institution needs the user to sign in again (MFA, new password).
    #[error("the institution requires the user to log in again")]
    LoginRequired,
    /// The cursor is not one this institution issued.
    #[error("invalid sync cursor")]
    InvalidCursor,
    /// A temporary failure; retry later.
    #[error("institution unavailable: {0}")]
    Unavailable(String),
}

/// A connector to one institution (or aggregator).
#[async_trait]
pub trait Institution: Send + Sync + fmt::Debug {
    /// The institution's id, as clients name it in `linkAccount`.
    fn name(&self) -> &'static str;

    /// Checks the credentials (or exchanges them: a setup token for an
    /// access token); the accounts are linked only if this succeeds.
    async fn link(&self, credentials: &Credentials) -> Result<LinkedLogin, InstitutionError>;

    /// One page of changes of the account `credentials.login` names (a
    /// [`LinkedAccount::external_id`]) since `cursor` (`None`: from the
    /// beginning). `LoginRequired` when the user must re-authenticate.
    async fn sync(
        &self,
        credentials: &Credentials,
        cursor: Option<&str>,
    ) -> Result<SyncPage, InstitutionError>;
}

/// The institutions this deployment can link, by name.
#[derive(Debug, Clone, Default)]
pub struct Institutions {
    by_name: HashMap<&'static str, Arc<dyn Institution>>,
}

impl Institutions {
    pub fn new(all: impl IntoIterator<Item = Arc<dyn Institution>>) -> Self {
        Self {
            by_name: all.into_iter().map(|i| (i.name(), i)).collect(),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Arc<dyn Institution>> {
        self.by_name.get(name)
    }

    /// Only the institutions named in `enabled` (the deployment's list);
    /// an account of any other can neither be linked nor synced.
    pub fn only(&self, enabled: &[String]) -> Self {
        Self {
            by_name: self
                .by_name
                .iter()
                .filter(|(name, _)| enabled.iter().any(|e| e == *name))
                .map(|(name, i)| (*name, i.clone()))
                .collect(),
        }
    }
}
