//! The accounts a file's statements go into: the one the user chose, or
//! one file account per account the file names (found again on the next
//! import by that name), with the file's currency.

use chrono::{DateTime, Utc};
use moneta_entities::{accounts, imports};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};

use super::error::ImportError;
use super::plan::PlannedStatement;
use crate::accounts::AccountStatus;
use crate::currency::Currency;
use crate::{IdGenerator, UserId};

/// The institution of accounts kept from files.
pub const FILE_INSTITUTION: &str = "file";

/// Where one statement goes.
#[derive(Debug, Clone)]
pub struct Target {
    pub account_id: i64,
    pub display_name: String,
    pub currency: Currency,
    pub created: bool,
}

/// What resolving needs.
#[derive(Debug, Clone, Copy)]
pub struct Resolve<'a> {
    pub db: &'a DatabaseConnection,
    pub ids: &'a IdGenerator,
    pub user: UserId,
    pub now: DateTime<Utc>,
    pub max_accounts: u32,
    /// The file's name, for naming a new account.
    pub file_name: &'a str,
    pub sha256: &'a str,
}

impl Resolve<'_> {
    /// The chosen account, which must be a file account in the file's
    /// currency, for a file that names at most one account.
    pub async fn chosen(
        &self,
        account_id: i64,
        statements: &[PlannedStatement],
    ) -> Result<Target, ImportError> {
        let named = distinct_accounts(statements);
        if named > 1 {
            return Err(ImportError::SeveralAccounts(named));
        }
        let row = self.row(account_id).await?;
        if row.institution != FILE_INSTITUTION {
            return Err(ImportError::NotAFileAccount);
        }
        let currency = stored_currency(&row.currency)?;
        if let Some(file) = statements.iter().find_map(|s| s.currency.as_deref())
            && parse_currency(file)? != currency
        {
            return Err(ImportError::CurrencyMismatch {
                file: file.to_owned(),
                account: currency.to_string(),
            });
        }
        Ok(Target {
            account_id,
            display_name: row.display_name,
            currency,
            created: false,
        })
    }

    /// The file account named `statement.account` (created if new); for a
    /// statement that names none, the account the same file went into
    /// before, else a new one. `fallback` is the currency when the file
    /// says none.
    pub async fn by_name(
        &self,
        statement: &PlannedStatement,
        fallback: Currency,
    ) -> Result<Target, ImportError> {
        let currency = match statement.currency.as_deref() {
            Some(code) => parse_currency(code)?,
            None => fallback,
        };
        // The same number in another currency is another account (and
        // the same number at another bank, alas, the same one).
        let login = match &statement.account {
            Some(name) => format!("{} {currency}", truncate(name, 200)),
            None => match self.previous_import().await? {
                Some(account_id) => match self.existing(account_id).await {
                    // Removed since: a new account.
                    Err(ImportError::AccountNotFound) => format!("file:{}", self.ids.next_id()),
                    found => return found,
                },
                None => format!("file:{}", self.ids.next_id()),
            },
        };
        let existing = accounts::Entity::find()
            .filter(accounts::Column::UserId.eq(self.user.get()))
            .filter(accounts::Column::Institution.eq(FILE_INSTITUTION))
            .filter(accounts::Column::Login.eq(&login))
            .one(self.db)
            .await?;
        if let Some(row) = existing {
            return self.existing(row.id).await;
        }
        self.create(login, statement.account.as_deref(), currency)
            .await
    }

    /// The user's account `account_id`.
    async fn row(&self, account_id: i64) -> Result<accounts::Model, ImportError> {
        accounts::Entity::find()
            .filter(accounts::Column::UserId.eq(self.user.get()))
            .filter(accounts::Column::Id.eq(account_id))
            .one(self.db)
            .await?
            .ok_or(ImportError::AccountNotFound)
    }

    async fn existing(&self, account_id: i64) -> Result<Target, ImportError> {
        let row = self.row(account_id).await?;
        Ok(Target {
            account_id,
            currency: stored_currency(&row.currency)?,
            display_name: row.display_name,
            created: false,
        })
    }

    /// The account an earlier import of the very same file went into.
    async fn previous_import(&self) -> Result<Option<i64>, ImportError> {
        let row = imports::Entity::find()
            .filter(imports::Column::UserId.eq(self.user.get()))
            .filter(imports::Column::Sha256.eq(self.sha256))
            .order_by_desc(imports::Column::Id)
            .one(self.db)
            .await?;
        Ok(row.map(|r| r.account_id))
    }

    async fn create(
        &self,
        login: String,
        named: Option<&str>,
        currency: Currency,
    ) -> Result<Target, ImportError> {
        let count = accounts::Entity::find()
            .filter(accounts::Column::UserId.eq(self.user.get()))
            .count(self.db)
            .await?;
        if count >= u64::from(self.max_accounts) {
            return Err(ImportError::TooManyAccounts);
        }
        let id = self.ids.next_id();
        let display_name = display_name(named, self.file_name);
        accounts::Entity::insert(accounts::ActiveModel {
            user_id: Set(self.user.get()),
            id: Set(id),
            institution: Set(FILE_INSTITUTION.to_owned()),
            login: Set(login),
            display_name: Set(display_name.clone()),
            // Nothing to seal: a file account has no login at a bank.
            credentials_ciphertext: Set(Vec::new()),
            status: Set(AccountStatus::Active.as_str().to_owned()),
            sync_cursor: Set(None),
            last_synced_at: Set(None),
            currency: Set(currency.to_string()),
            created_at: Set(self.now),
            updated_at: Set(self.now),
        })
        .exec_without_returning(self.db)
        .await?;
        Ok(Target {
            account_id: id,
            display_name,
            currency,
            created: true,
        })
    }
}

/// How many different accounts the statements name (none counts as one).
fn distinct_accounts(statements: &[PlannedStatement]) -> usize {
    let mut names: Vec<Option<&str>> = statements.iter().map(|s| s.account.as_deref()).collect();
    names.sort_unstable();
    names.dedup();
    names.len()
}

/// `Imported ••5678`, from the account number's last four characters;
/// else the file's name.
fn display_name(named: Option<&str>, file_name: &str) -> String {
    match named {
        Some(name) => {
            let tail: String = {
                let chars: Vec<char> = name.chars().filter(|c| c.is_alphanumeric()).collect();
                chars[chars.len().saturating_sub(4)..].iter().collect()
            };
            format!("Imported ••{tail}")
        }
        None if file_name.is_empty() => "Imported account".to_owned(),
        None => format!("Imported from {}", truncate(file_name, 200)),
    }
}

fn parse_currency(code: &str) -> Result<Currency, ImportError> {
    code.parse()
        .map_err(|e: crate::currency::CurrencyError| ImportError::Invalid(e.to_string()))
}

fn stored_currency(code: &str) -> Result<Currency, ImportError> {
    code.parse().map_err(|_| {
        ImportError::Internal(crate::InternalError::Corrupt(format!(
            "account currency {code:?}"
        )))
    })
}

pub(super) fn truncate(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_accounts_are_named_by_their_last_four() {
        assert_eq!(
            display_name(Some("NL14SNSB0012345678"), "x.xml"),
            "Imported ••5678"
        );
        assert_eq!(display_name(Some("**** 1234"), "x.csv"), "Imported ••1234");
        assert_eq!(display_name(None, "march.qif"), "Imported from march.qif");
    }
}
