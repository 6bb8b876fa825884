//! [`SimpleFin`]: claim at link, one `GET /accounts` per sync.

use std::time::Duration;

use async_trait::async_trait;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use moneta_core::clock::SharedClock;
use moneta_core::currency::Currency;
use moneta_core::institutions::{
    Credentials, Institution, InstitutionError, LinkedAccount, LinkedLogin, ProviderTransaction,
    SyncPage,
};
use moneta_core::money::Money;
use rust_decimal::Decimal;
use secrecy::{ExposeSecret as _, SecretString};
use url::Url;

use super::protocol::{Account, AccountSet, Transaction};

/// A first sync asks for this much history.
const HISTORY_DAYS: i64 = 90;
/// Later syncs ask again from this long before the last one: banks post
/// late, and a pending transaction posts days after it appeared.
const OVERLAP_DAYS: i64 = 7;
const TIMEOUT: Duration = Duration::from_secs(30);

/// The `simplefin` institution.
#[derive(Debug, Clone)]
pub struct SimpleFin {
    http: reqwest::Client,
    /// The origins a token's URLs may point at.
    origins: Vec<Url>,
    clock: SharedClock,
}

impl SimpleFin {
    /// `origins` as `MONETA_SIMPLEFIN_ORIGINS` gives them; an entry that is
    /// not a URL is an error.
    pub fn new(origins: &[String], clock: SharedClock) -> Result<Self, String> {
        let origins = origins
            .iter()
            .map(|o| Url::parse(o.trim()).map_err(|e| format!("{o:?} is not an origin: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            // A redirect could leave the allowed origins.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            http,
            origins,
            clock,
        })
    }

    fn allowed(&self, url: &Url) -> bool {
        self.origins.iter().any(|o| {
            o.scheme() == url.scheme()
                && o.host_str() == url.host_str()
                && o.port_or_known_default() == url.port_or_known_default()
        })
    }

    /// The setup token's claim URL, POSTed once: the access URL.
    async fn claim(&self, token: &str) -> Result<Url, InstitutionError> {
        let claim = decode_token(token).ok_or(InstitutionError::LoginFailed)?;
        if !self.allowed(&claim) {
            tracing::warn!(
                host = claim.host_str().unwrap_or(""),
                "SimpleFIN claim URL outside the allowed origins"
            );
            return Err(InstitutionError::LoginFailed);
        }
        let response = self
            .http
            .post(claim)
            .header(reqwest::header::CONTENT_LENGTH, "0")
            .send()
            .await
            .map_err(unavailable)?;
        let status = response.status();
        if status.is_client_error() {
            // Used already, or never issued.
            return Err(InstitutionError::LoginFailed);
        }
        if !status.is_success() {
            return Err(InstitutionError::Unavailable(format!(
                "claim answered {status}"
            )));
        }
        let body = response.text().await.map_err(unavailable)?;
        let access = Url::parse(body.trim()).map_err(|_| {
            InstitutionError::Unavailable("the claim did not answer an access URL".into())
        })?;
        if !self.allowed(&access) {
            return Err(InstitutionError::LoginFailed);
        }
        Ok(access)
    }

    /// `GET {access}/accounts` with `query`, authenticated by the access
    /// URL's user and password.
    async fn accounts(
        &self,
        access: &Url,
        query: &[(&str, String)],
    ) -> Result<AccountSet, InstitutionError> {
        let mut base = access.clone();
        let user = base.username().to_owned();
        let password = base.password().map(str::to_owned);
        // Neither can fail on an http(s) URL.
        let _ = base.set_username("");
        let _ = base.set_password(None);
        let url = format!("{}/accounts", base.as_str().trim_end_matches('/'));
        let response = self
            .http
            .get(url)
            .basic_auth(user, password)
            .query(query)
            .send()
            .await
            .map_err(unavailable)?;
        let status = response.status();
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
            return Err(InstitutionError::LoginRequired);
        }
        if !status.is_success() {
            return Err(InstitutionError::Unavailable(format!(
                "accounts answered {status}"
            )));
        }
        response
            .json::<AccountSet>()
            .await
            .map_err(|e| InstitutionError::Unavailable(format!("accounts: {e}")))
    }

    /// Where this sync starts: a week before the last one, else
    /// [`HISTORY_DAYS`] ago.
    fn start(&self, cursor: Option<&str>) -> Result<i64, InstitutionError> {
        let now = self.clock.now().timestamp();
        match cursor {
            None => Ok(now - HISTORY_DAYS * 86_400),
            Some(last) => last
                .parse::<i64>()
                .map(|last| last.min(now) - OVERLAP_DAYS * 86_400)
                .map_err(|_| InstitutionError::InvalidCursor),
        }
    }
}

#[async_trait]
impl Institution for SimpleFin {
    fn name(&self) -> &'static str {
        "simplefin"
    }

    /// The password is the setup token; the login is not used.
    async fn link(&self, credentials: &Credentials) -> Result<LinkedLogin, InstitutionError> {
        let access = self.claim(credentials.password.expose_secret()).await?;
        let set = self
            .accounts(&access, &[("balances-only", "1".to_owned())])
            .await?;
        let accounts: Vec<LinkedAccount> = set.accounts.iter().map(linked).collect();
        if accounts.is_empty() {
            return Err(InstitutionError::Unavailable(
                "the connection holds no accounts".into(),
            ));
        }
        Ok(LinkedLogin {
            accounts,
            access_token: Some(SecretString::from(access.to_string())),
        })
    }

    async fn sync(
        &self,
        credentials: &Credentials,
        cursor: Option<&str>,
    ) -> Result<SyncPage, InstitutionError> {
        let access = Url::parse(credentials.password.expose_secret())
            .map_err(|_| InstitutionError::LoginRequired)?;
        if !self.allowed(&access) {
            return Err(InstitutionError::LoginRequired);
        }
        let id = &credentials.login;
        let query = [
            ("account", id.clone()),
            ("start-date", self.start(cursor)?.to_string()),
            ("pending", "1".to_owned()),
        ];
        let set = self.accounts(&access, &query).await?;
        let mine = |for_account: &Option<String>| for_account.as_ref().is_none_or(|a| a == id);
        let notices: Vec<String> = set
            .errlist
            .iter()
            .filter(|e| mine(&e.account_id))
            .map(|e| e.message.trim().to_owned())
            .chain(set.errors.iter().map(|e| e.trim().to_owned()))
            .filter(|m| !m.is_empty())
            .collect();
        let Some(account) = set.accounts.iter().find(|a| &a.id == id) else {
            if set
                .errlist
                .iter()
                .any(|e| e.needs_login() && mine(&e.account_id))
            {
                return Err(InstitutionError::LoginRequired);
            }
            return Ok(SyncPage {
                next_cursor: cursor.unwrap_or_default().to_owned(),
                notices,
                ..SyncPage::default()
            });
        };
        let now = self.clock.now();
        Ok(SyncPage {
            added: account
                .transactions
                .iter()
                .filter_map(|t| transaction(t, now))
                .collect(),
            next_cursor: now.timestamp().to_string(),
            notices,
            ..SyncPage::default()
        })
    }
}

/// The access URL never appears in an error: reqwest's errors name the
/// URL, which holds the credentials.
fn unavailable(error: reqwest::Error) -> InstitutionError {
    let what = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    InstitutionError::Unavailable(format!("SimpleFIN {what}"))
}

/// A setup token is the claim URL, base64-encoded.
fn decode_token(token: &str) -> Option<Url> {
    let token = token.trim();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(token)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(token))
        .ok()?;
    Url::parse(std::str::from_utf8(&bytes).ok()?.trim()).ok()
}

fn linked(account: &Account) -> LinkedAccount {
    let org = account
        .org
        .as_ref()
        .and_then(|o| o.name.clone().or_else(|| o.domain.clone()));
    LinkedAccount {
        external_id: account.id.clone(),
        display_name: match org {
            Some(org) => format!("{org} {}", account.name),
            None => account.name.clone(),
        },
        currency: account.currency.parse::<Currency>().ok(),
    }
}

/// A SimpleFIN transaction in Moneta's terms (spending positive); `None`
/// for an amount that is not a number.
fn transaction(t: &Transaction, now: DateTime<Utc>) -> Option<ProviderTransaction> {
    let amount: Decimal = t.amount.trim().parse().ok()?;
    let cents = (amount.round_dp(2) * Decimal::ONE_HUNDRED).trunc();
    let cents = i64::try_from(cents).ok()?;
    let at = if t.posted > 0 {
        t.posted
    } else {
        t.transacted_at.unwrap_or(now.timestamp())
    };
    let seller = t
        .payee
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or(&t.description);
    Some(ProviderTransaction {
        provider_id: t.id.clone(),
        pending: t.pending,
        pending_transaction_id: None,
        posted_at: DateTime::from_timestamp(at, 0).unwrap_or(now),
        seller: seller.trim().to_owned(),
        amount: Money::from_cents(-cents),
        transfer_hint: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_setup_token_is_a_base64_claim_url() {
        let token = base64::engine::general_purpose::STANDARD
            .encode("https://bridge.simplefin.org/simplefin/claim/DEMO");
        assert_eq!(
            decode_token(&token).map(|u| u.to_string()),
            Some("https://bridge.simplefin.org/simplefin/claim/DEMO".to_owned())
        );
        assert_eq!(decode_token("not base64!"), None);
    }

    #[test]
    fn amounts_turn_to_spending_in_cents() {
        let t = Transaction {
            id: "t1".into(),
            posted: 1_700_000_000,
            amount: "-12.34".into(),
            description: "COFFEE".into(),
            payee: None,
            pending: false,
            transacted_at: None,
        };
        let p = transaction(&t, Utc::now()).unwrap();
        assert_eq!(p.amount.cents(), 1234);
        assert_eq!(p.seller, "COFFEE");
        assert!(
            transaction(
                &Transaction {
                    amount: "twelve".into(),
                    ..t
                },
                Utc::now()
            )
            .is_none()
        );
    }

    #[test]
    fn only_the_allowed_origins_are_called() {
        let clock: SharedClock = std::sync::Arc::new(moneta_core::clock::SystemClock);
        let sf = SimpleFin::new(&["https://bridge.simplefin.org".into()], clock).unwrap();
        assert!(sf.allowed(&Url::parse("https://bridge.simplefin.org/simplefin/claim/x").unwrap()));
        assert!(!sf.allowed(&Url::parse("http://bridge.simplefin.org/claim").unwrap()));
        assert!(!sf.allowed(&Url::parse("https://169.254.169.254/latest").unwrap()));
        assert!(!sf.allowed(&Url::parse("https://bridge.simplefin.org:8443/x").unwrap()));
    }
}
