//! SimpleFIN's account set, as far as Moneta reads it.

use serde::Deserialize;

/// `GET /accounts`.
#[derive(Debug, Deserialize)]
pub struct AccountSet {
    /// Protocol 1: plain messages.
    #[serde(default)]
    pub errors: Vec<String>,
    /// Protocol 2: structured errors, to show the user.
    #[serde(default)]
    pub errlist: Vec<ErrorEntry>,
    #[serde(default)]
    pub accounts: Vec<Account>,
}

#[derive(Debug, Deserialize)]
pub struct ErrorEntry {
    /// `gen.*` general, `con.*` a connection (`con.auth`: sign in again),
    /// `act.*` an account.
    #[serde(default)]
    pub code: String,
    #[serde(default, alias = "msg")]
    pub message: String,
    #[serde(default)]
    pub account_id: Option<String>,
}

impl ErrorEntry {
    /// The user must re-authenticate.
    pub fn needs_login(&self) -> bool {
        self.code == "con.auth" || self.code.starts_with("gen.auth")
    }
}

#[derive(Debug, Deserialize)]
pub struct Account {
    pub id: String,
    pub name: String,
    /// An ISO 4217 code, or a URL for a custom currency.
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub org: Option<Org>,
    #[serde(default)]
    pub transactions: Vec<Transaction>,
}

#[derive(Debug, Deserialize)]
pub struct Org {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub domain: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Transaction {
    pub id: String,
    /// Unix seconds; 0 while pending.
    #[serde(default)]
    pub posted: i64,
    /// A decimal string; negative is money out.
    pub amount: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub payee: Option<String>,
    #[serde(default)]
    pub pending: bool,
    #[serde(default)]
    pub transacted_at: Option<i64>,
}
