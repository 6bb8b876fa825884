//! Linking, refreshing and unlinking accounts.

use std::collections::BTreeSet;
use std::sync::Arc;

use moneta_entities::{accounts, transactions};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QuerySelect, TransactionTrait,
};
use secrecy::{ExposeSecret, SecretString};

use super::{Account, AccountError, AccountStatus, find};
use crate::clock::SharedClock;
use crate::credentials::CredentialsCipher;
use crate::error::InternalError;
use crate::institutions::{Credentials, InstitutionError, Institutions, LinkedAccount};
use crate::month::Month;
use crate::ports::{JobQueue, SyncJob, SyncReason};
use crate::spending::{FollowUp, Totals};
use crate::{IdGenerator, UserId, crash_point, spending};

/// What `linkAccount` asks for.
#[derive(Debug)]
pub struct LinkRequest {
    pub institution: String,
    pub login: String,
    pub password: SecretString,
}

#[derive(Debug, Clone)]
pub struct AccountService {
    pub db: DatabaseConnection,
    pub institutions: Institutions,
    pub cipher: CredentialsCipher,
    pub queue: Arc<dyn JobQueue>,
    /// Settles the spending an unlink changed.
    pub follow_up: FollowUp,
    pub ids: Arc<IdGenerator>,
    pub clock: SharedClock,
    /// Accounts one user may have linked at once.
    pub max_accounts: u32,
}

impl AccountService {
    /// Checks the login with the institution, stores the accounts it
    /// brings with their credentials sealed (the institution's access
    /// token in place of the password when it gives one), and queues their
    /// first syncs; returns the first. Linking a login the user already
    /// linked replaces its credentials and syncs it again (the way back
    /// from LOGIN_REQUIRED). A refused login stores nothing. A new login
    /// beyond [`AccountService::max_accounts`] is refused before the
    /// institution is asked (two concurrent links can both pass the count:
    /// the bound holds up to the user's concurrent requests). A sync that
    /// cannot be queued undoes the link (no account is left SYNCING with
    /// nothing to sync it) and is [`AccountError::SyncUnavailable`].
    pub async fn link(&self, user: UserId, request: LinkRequest) -> Result<Account, AccountError> {
        self.link_all(user, request)
            .await?
            .into_iter()
            .next()
            .ok_or(AccountError::NotFound)
    }

    /// As [`AccountService::link`], every account the login brings.
    pub async fn link_all(
        &self,
        user: UserId,
        request: LinkRequest,
    ) -> Result<Vec<Account>, AccountError> {
        let login = validate(&request)?.to_owned();
        let institution = self
            .institutions
            .get(&request.institution)
            .ok_or(AccountError::UnknownInstitution)?;
        let name = institution.name();
        if self.linked_as(user, name, &login).await?.is_none() {
            self.check_room(user).await?;
        }
        let credentials = Credentials {
            login,
            password: request.password,
        };
        let linked = institution.link(&credentials).await.map_err(|e| match e {
            InstitutionError::LoginFailed | InstitutionError::LoginRequired => {
                AccountError::LoginFailed
            }
            other => crate::error::InternalError::Institution(other.to_string()).into(),
        })?;
        let keep = linked.access_token.unwrap_or(credentials.password);
        let mut linked_ids: Vec<(i64, Undo)> = Vec::with_capacity(linked.accounts.len());
        for account in &linked.accounts {
            match self.link_one(user, name, account, &keep).await {
                Ok(done) => linked_ids.push(done),
                Err(error) => {
                    for (account_id, undo) in linked_ids.into_iter().rev() {
                        self.undo_link(user, account_id, undo).await;
                    }
                    return Err(error);
                }
            }
        }
        let mut out = Vec::with_capacity(linked_ids.len());
        for (account_id, _) in linked_ids {
            tracing::info!(user_id = %user, account_id, institution = name, "account linked");
            out.push(
                find(&self.db, user, account_id)
                    .await?
                    .ok_or(AccountError::NotFound)?,
            );
        }
        Ok(out)
    }

    /// The user's account of `institution` synced as `login`.
    async fn linked_as(
        &self,
        user: UserId,
        institution: &str,
        login: &str,
    ) -> Result<Option<accounts::Model>, AccountError> {
        Ok(accounts::Entity::find()
            .filter(accounts::Column::UserId.eq(user.get()))
            .filter(accounts::Column::Institution.eq(institution))
            .filter(accounts::Column::Login.eq(login))
            .one(&self.db)
            .await?)
    }

    /// One account of a link: stored (or its credentials replaced), its
    /// first sync queued — or undone if that cannot be.
    async fn link_one(
        &self,
        user: UserId,
        institution: &str,
        account: &LinkedAccount,
        secret: &SecretString,
    ) -> Result<(i64, Undo), AccountError> {
        let credentials = Credentials {
            login: account.external_id.clone(),
            password: secret.clone(),
        };
        let (account_id, undo) = match self
            .linked_as(user, institution, &account.external_id)
            .await?
        {
            Some(row) => self.relink(user, row, &credentials).await?,
            None => {
                self.check_room(user).await?;
                self.insert(user, institution, &credentials, account)
                    .await?
            }
        };
        if let Err(error) = self.enqueue(user, account_id, SyncReason::Link).await {
            self.undo_link(user, account_id, undo).await;
            return Err(error);
        }
        Ok((account_id, undo))
    }

    /// An account linked before: new credentials, SYNCING again.
    async fn relink(
        &self,
        user: UserId,
        row: accounts::Model,
        credentials: &Credentials,
    ) -> Result<(i64, Undo), AccountError> {
        let sealed = self.cipher.seal(user.get(), row.id, credentials)?;
        accounts::Entity::update_many()
            .col_expr(
                accounts::Column::CredentialsCiphertext,
                Expr::value(sealed.clone()),
            )
            .col_expr(
                accounts::Column::Status,
                Expr::value(AccountStatus::Syncing.as_str()),
            )
            .col_expr(accounts::Column::UpdatedAt, Expr::value(self.clock.now()))
            .filter(accounts::Column::UserId.eq(user.get()))
            .filter(accounts::Column::Id.eq(row.id))
            .exec(&self.db)
            .await?;
        let undo = Undo::Restore {
            credentials: row.credentials_ciphertext,
            status: row.status,
            updated_at: row.updated_at,
            sealed,
        };
        Ok((row.id, undo))
    }

    /// A new account, SYNCING.
    async fn insert(
        &self,
        user: UserId,
        institution: &str,
        credentials: &Credentials,
        account: &LinkedAccount,
    ) -> Result<(i64, Undo), AccountError> {
        let now = self.clock.now();
        let id = self.ids.next_id();
        let sealed = self.cipher.seal(user.get(), id, credentials)?;
        accounts::Entity::insert(accounts::ActiveModel {
            user_id: Set(user.get()),
            id: Set(id),
            institution: Set(institution.to_owned()),
            login: Set(credentials.login.clone()),
            display_name: Set(account.display_name.clone()),
            credentials_ciphertext: Set(sealed),
            status: Set(AccountStatus::Syncing.as_str().to_owned()),
            sync_cursor: Set(None),
            last_synced_at: Set(None),
            currency: Set(account.currency.unwrap_or_default().to_string()),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec_without_returning(&self.db)
        .await?;
        Ok((id, Undo::Delete))
    }

    /// Takes back a link whose sync could not be queued: a new account
    /// (its id was never returned) is deleted; an account linked before
    /// gets its credentials, status and update time back — unless
    /// something else changed it since (another link, a sync ending), which
    /// then stands. Best effort: if the database fails too, the account
    /// stays SYNCING until its next refresh or daily sync, and the log says
    /// so.
    async fn undo_link(&self, user: UserId, account_id: i64, undo: Undo) {
        let undone = match undo {
            Undo::Delete => accounts::Entity::delete_many()
                .filter(accounts::Column::UserId.eq(user.get()))
                .filter(accounts::Column::Id.eq(account_id))
                .exec(&self.db)
                .await
                .map(|_| ()),
            Undo::Restore {
                credentials,
                status,
                updated_at,
                sealed,
            } => accounts::Entity::update_many()
                .col_expr(
                    accounts::Column::CredentialsCiphertext,
                    Expr::value(credentials),
                )
                .col_expr(accounts::Column::Status, Expr::value(status))
                .col_expr(accounts::Column::UpdatedAt, Expr::value(updated_at))
                .filter(accounts::Column::UserId.eq(user.get()))
                .filter(accounts::Column::Id.eq(account_id))
                .filter(accounts::Column::CredentialsCiphertext.eq(sealed))
                .filter(accounts::Column::Status.eq(AccountStatus::Syncing.as_str()))
                .exec(&self.db)
                .await
                .map(|_| ()),
        };
        match undone {
            Ok(()) => {
                tracing::warn!(user_id = %user, account_id, "sync could not be queued; link undone");
            }
            Err(error) => {
                tracing::error!(user_id = %user, account_id, %error, "sync could not be queued and the link could not be undone; the account stays SYNCING");
            }
        }
    }

    /// Queues a sync of one of the user's accounts;
    /// [`AccountError::SyncUnavailable`] when it cannot be queued.
    pub async fn refresh(&self, user: UserId, account_id: i64) -> Result<Account, AccountError> {
        let account = find(&self.db, user, account_id)
            .await?
            .ok_or(AccountError::NotFound)?;
        self.enqueue(user, account_id, SyncReason::Refresh).await?;
        Ok(account)
    }

    /// Deletes the account, its transactions and its cursor, together with
    /// the record of the months they were in; then settles that (spending,
    /// cached views, alerts — by the sweeper if this process dies first).
    pub async fn unlink(&self, user: UserId, account_id: i64) -> Result<(), AccountError> {
        find(&self.db, user, account_id)
            .await?
            .ok_or(AccountError::NotFound)?;
        let tx = self.db.begin().await?;
        let months: BTreeSet<i32> = transactions::Entity::find()
            .select_only()
            .column(transactions::Column::Month)
            .distinct()
            .filter(transactions::Column::UserId.eq(user.get()))
            .filter(transactions::Column::AccountId.eq(account_id))
            .into_tuple::<i32>()
            .all(&tx)
            .await?
            .into_iter()
            .collect();
        transactions::Entity::delete_many()
            .filter(transactions::Column::UserId.eq(user.get()))
            .filter(transactions::Column::AccountId.eq(account_id))
            .exec(&tx)
            .await?;
        accounts::Entity::delete_many()
            .filter(accounts::Column::UserId.eq(user.get()))
            .filter(accounts::Column::Id.eq(account_id))
            .exec(&tx)
            .await?;
        let months = months
            .into_iter()
            .map(Month::from_int)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| InternalError::Corrupt("a transaction's month is not a month".into()))?;
        let now = self.clock.now();
        spending::mark(&tx, &self.ids, user, months, Totals::Stale, now).await?;
        tx.commit().await?;
        crash_point!("unlink.committed");
        self.follow_up.settle(user).await?;
        tracing::info!(user_id = %user, account_id, "account unlinked");
        Ok(())
    }

    /// Refuses a new account when the user has the most they may have.
    async fn check_room(&self, user: UserId) -> Result<(), AccountError> {
        let linked = accounts::Entity::find()
            .filter(accounts::Column::UserId.eq(user.get()))
            .count(&self.db)
            .await?;
        if linked >= u64::from(self.max_accounts) {
            return Err(AccountError::TooManyAccounts {
                max: self.max_accounts,
            });
        }
        Ok(())
    }

    async fn enqueue(
        &self,
        user: UserId,
        account_id: i64,
        reason: SyncReason,
    ) -> Result<(), AccountError> {
        self.queue
            .enqueue(&SyncJob {
                user_id: user.get(),
                account_id,
                reason,
            })
            .await
            .map_err(AccountError::SyncUnavailable)
    }
}

/// How to take back a link's write.
enum Undo {
    /// The account is new: delete it.
    Delete,
    /// The account was there: put back its credentials, status and update
    /// time, if it still holds what the link wrote (`sealed`).
    Restore {
        credentials: Vec<u8>,
        status: String,
        updated_at: chrono::DateTime<chrono::Utc>,
        sealed: Vec<u8>,
    },
}

/// The login a link request names, trimmed, once it and the password are
/// acceptable.
fn validate(request: &LinkRequest) -> Result<&str, AccountError> {
    let control = |field| AccountError::Invalid {
        field,
        message: "must not contain control characters",
    };
    crate::text::refuse_control(&request.login).map_err(|_| control("login"))?;
    crate::text::refuse_control(request.password.expose_secret())
        .map_err(|_| control("password"))?;
    let login = request.login.trim();
    if login.is_empty() || login.len() > 255 {
        return Err(AccountError::Invalid {
            field: "login",
            message: "must be 1 to 255 characters",
        });
    }
    let password_len = request.password.expose_secret().len();
    if password_len == 0 || password_len > 1024 {
        return Err(AccountError::Invalid {
            field: "password",
            message: "must be 1 to 1024 characters",
        });
    }
    Ok(login)
}
