//! One sync of one account, start to finish.

use std::sync::Arc;
use std::time::Duration;

use moneta_entities::accounts;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::apply::{CarriedOverrides, apply_page};
use super::notify;
use crate::accounts::{AccountStatus, find};
use crate::categories::Categorizer;
use crate::clock::SharedClock;
use crate::credentials::CredentialsCipher;
use crate::error::{InternalError, TRANSIENT_ATTEMPTS, backoff};
use crate::institutions::{InstitutionError, Institutions};
use crate::ports::{EventBus, LeaseToken, Leases, RawPageStore, SyncJob, UserEvent, hold_while};
use crate::spending::FollowUp;
use crate::{IdGenerator, UserId, crash_point};

/// How often a job finding its account's lease held tries again.
const LEASE_POLL: Duration = Duration::from_millis(250);
/// A runaway connector cannot page forever.
const MAX_PAGES: usize = 10_000;

/// How a job ended. Every outcome is final: the job is acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncOutcome {
    Synced {
        added: u32,
        modified: u32,
        removed: u32,
        pages: u32,
    },
    /// Another sync of this account held the lease throughout, renewing
    /// it: alive and working, it covers this one.
    AlreadyRunning,
    /// The account is gone (unlinked).
    AccountGone,
    /// The institution refused; the account's status says why.
    Failed(AccountStatus),
}

/// Everything a sync needs.
#[derive(Debug, Clone)]
pub struct SyncPipeline {
    pub db: DatabaseConnection,
    pub institutions: Institutions,
    pub cipher: CredentialsCipher,
    pub categorizer: Categorizer,
    pub raw_pages: Arc<dyn RawPageStore>,
    pub events: Arc<dyn EventBus>,
    pub leases: Arc<dyn Leases>,
    /// Settles what each page, failure or unlink recorded.
    pub follow_up: FollowUp,
    /// The account's sync lease: renewed every third of this while its
    /// holder works, so it lapses within this long of the holder dying.
    pub lease_ttl: Duration,
    pub ids: Arc<IdGenerator>,
    pub clock: SharedClock,
}

impl SyncPipeline {
    /// Runs one sync job. Errors are infrastructure failures (database,
    /// object store): the job is then left unacknowledged, to be retried.
    pub async fn run(&self, job: &SyncJob) -> Result<SyncOutcome, InternalError> {
        let user = UserId::new(job.user_id);
        let lease_key = format!("sync:{}:{}", job.user_id, job.account_id);
        let Some(lease) = self.wait_for_lease(&lease_key).await? else {
            tracing::info!(user_id = %user, account_id = job.account_id, "sync already running");
            return Ok(SyncOutcome::AlreadyRunning);
        };
        let work = self.sync(user, job.account_id);
        let ttl = self.lease_ttl;
        let result = hold_while(self.leases.as_ref(), &lease_key, &lease, ttl, work).await;
        let Some(result) = result else {
            // Its new holder does this sync.
            return Ok(SyncOutcome::AlreadyRunning);
        };
        if result.is_err() {
            // Pages applied before the failure recorded what they changed;
            // settled now if the database allows, else by the retry or the
            // sweeper.
            if let Err(error) = self.follow_up.settle(user).await {
                tracing::warn!(user_id = %user, %error, "follow-up of a failed sync left to the sweeper");
            }
        }
        if let Err(error) = self.leases.release(&lease_key, &lease).await {
            tracing::warn!(%error, "lease release failed; it will expire");
        }
        result
    }

    /// Takes the account's lease; if it is held, waits for it (a dead
    /// holder's lapses within the lease's ttl; a living one's sync may
    /// have read its pages before this job was asked for, so this job runs
    /// after it). `None` only when a holder kept renewing for twice the
    /// ttl: alive and working, it covers this job.
    async fn wait_for_lease(&self, key: &str) -> Result<Option<LeaseToken>, InternalError> {
        let deadline = tokio::time::Instant::now() + self.lease_ttl * 2;
        loop {
            if let Some(lease) = self.leases.acquire(key, self.lease_ttl).await? {
                return Ok(Some(lease));
            }
            if tokio::time::Instant::now() >= deadline {
                return Ok(None);
            }
            tokio::time::sleep(LEASE_POLL).await;
        }
    }

    async fn sync(&self, user: UserId, account_id: i64) -> Result<SyncOutcome, InternalError> {
        let Some(row) = accounts::Entity::find()
            .filter(accounts::Column::UserId.eq(user.get()))
            .filter(accounts::Column::Id.eq(account_id))
            .one(&self.db)
            .await?
        else {
            return Ok(SyncOutcome::AccountGone);
        };
        let Some(institution) = self.institutions.get(&row.institution) else {
            return self
                .fail(
                    user,
                    account_id,
                    AccountStatus::Error,
                    "unknown institution",
                )
                .await;
        };
        let Ok(credentials) = self
            .cipher
            .open(user.get(), account_id, &row.credentials_ciphertext)
        else {
            // Retrying cannot help (a rotated MONETA_CREDENTIALS_KEY, or a
            // damaged row): the user must link again.
            tracing::error!(user_id = %user, account_id, "sealed credentials do not open");
            return self
                .fail(
                    user,
                    account_id,
                    AccountStatus::LoginRequired,
                    "please link this account again",
                )
                .await;
        };
        let sync_id = self.ids.next_id();
        let mut cursor = row.sync_cursor;
        let mut carried = CarriedOverrides::new();
        let (mut added, mut modified, mut removed, mut pages) = (0u32, 0u32, 0u32, 0u32);
        tracing::info!(user_id = %user, account_id, sync_id, "sync started");

        loop {
            let page = match institution.sync(&credentials, cursor.as_deref()).await {
                Ok(page) => page,
                Err(InstitutionError::LoginRequired | InstitutionError::LoginFailed) => {
                    return self
                        .fail(
                            user,
                            account_id,
                            AccountStatus::LoginRequired,
                            "the bank needs you to log in again",
                        )
                        .await;
                }
                Err(error) => {
                    tracing::warn!(user_id = %user, account_id, %error, "institution sync failed");
                    return self
                        .fail(
                            user,
                            account_id,
                            AccountStatus::Error,
                            "the bank could not be reached",
                        )
                        .await;
                }
            };
            pages += 1;
            let raw = serde_json::to_vec(&page)
                .map_err(|e| InternalError::Corrupt(format!("page encoding: {e}")))?;
            self.raw_pages
                .put(
                    &format!("raw/{user}/{account_id}/{sync_id}/{pages:05}.json"),
                    raw,
                )
                .await?;
            crash_point!("sync.page.stored");
            // One transaction per page, with the record of the months it
            // changed: retried whole on a deadlock.
            let mut attempt = 0;
            let applied = loop {
                attempt += 1;
                match apply_page(
                    &self.db,
                    &self.categorizer,
                    &self.ids,
                    user,
                    account_id,
                    &page,
                    &mut carried,
                    self.clock.now(),
                )
                .await
                {
                    Err(e) if e.is_transient() && attempt < TRANSIENT_ATTEMPTS => {
                        tracing::debug!(user_id = %user, account_id, attempt, "page retried after a transient failure");
                        backoff(attempt).await;
                    }
                    other => break other?,
                }
            };
            crash_point!("sync.page.committed");
            if !applied.account_exists {
                // Unlinked or erased meanwhile: the pages this sync stored
                // (perhaps after the erasure deleted the user's) go too.
                self.raw_pages
                    .delete_prefix(&format!("raw/{user}/{account_id}/{sync_id}/"))
                    .await?;
                return Ok(SyncOutcome::AccountGone);
            }
            added += page.added.len() as u32;
            modified += page.modified.len() as u32;
            removed += page.removed.len() as u32;
            cursor = Some(page.next_cursor);
            if !page.has_more || pages as usize >= MAX_PAGES {
                break;
            }
        }

        crash_point!("sync.follow_up.before");
        self.follow_up.settle(user).await?;
        crash_point!("sync.follow_up.after");
        self.set_status(user, account_id, AccountStatus::Active, true)
            .await?;
        // A sync that changed nothing says so live, but stores nothing: a
        // daily "synced" note per account would bury the alerts.
        if added + modified + removed > 0 {
            notify::store(
                &self.db,
                &self.ids,
                user,
                "SYNC_COMPLETED",
                format!(
                    "Account synced: {added} new, {modified} updated, {removed} removed transactions"
                ),
                self.clock.now(),
            )
            .await?;
        }
        self.publish(user, account_id, added, modified, removed)
            .await;
        tracing::info!(user_id = %user, account_id, sync_id, pages, added, modified, removed, "sync finished");
        Ok(SyncOutcome::Synced {
            added,
            modified,
            removed,
            pages,
        })
    }

    async fn fail(
        &self,
        user: UserId,
        account_id: i64,
        status: AccountStatus,
        message: &str,
    ) -> Result<SyncOutcome, InternalError> {
        // Pages applied before the failure keep what they changed: their
        // spending, views and alerts settled before the event goes out.
        self.follow_up.settle(user).await?;
        self.set_status(user, account_id, status, false).await?;
        notify::store(
            &self.db,
            &self.ids,
            user,
            "SYNC_FAILED",
            format!("Account sync failed: {message}"),
            self.clock.now(),
        )
        .await?;
        self.publish(user, account_id, 0, 0, 0).await;
        tracing::info!(user_id = %user, account_id, status = status.as_str(), "sync failed");
        Ok(SyncOutcome::Failed(status))
    }

    async fn set_status(
        &self,
        user: UserId,
        account_id: i64,
        status: AccountStatus,
        synced: bool,
    ) -> Result<(), InternalError> {
        let now = self.clock.now();
        let mut update = accounts::Entity::update_many()
            .col_expr(accounts::Column::Status, Expr::value(status.as_str()))
            .col_expr(accounts::Column::UpdatedAt, Expr::value(now));
        if synced {
            update = update.col_expr(accounts::Column::LastSyncedAt, Expr::value(now));
        }
        update
            .filter(accounts::Column::UserId.eq(user.get()))
            .filter(accounts::Column::Id.eq(account_id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Live delivery is best effort: the stored notification is the truth.
    async fn publish(
        &self,
        user: UserId,
        account_id: i64,
        added: u32,
        modified: u32,
        removed: u32,
    ) {
        if find(&self.db, user, account_id)
            .await
            .ok()
            .flatten()
            .is_none()
        {
            return;
        }
        let event = UserEvent::AccountSynced {
            account_id,
            added,
            modified,
            removed,
        };
        if let Err(error) = self.events.publish(user, event).await {
            tracing::warn!(user_id = %user, account_id, %error, "sync event not published");
        }
    }
}
