//! One sync of one account, start to finish.

use std::sync::Arc;
use std::time::Duration;

use moneta_entities::accounts;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait as _};

use super::apply::{Applied, CarriedOverrides, PageApply};
use crate::accounts::AccountStatus;
use crate::categories::Categorizer;
use crate::clock::SharedClock;
use crate::credentials::CredentialsCipher;
use crate::error::{InternalError, TransientRetry};
use crate::institutions::{Credentials, Institution, InstitutionError, Institutions, SyncPage};
use crate::notifications::{self, NewNotification, NotificationKind};
use crate::ports::{EventBus, LeaseToken, Leases, RawPageStore, SyncJob, UserEvent, hold_while};
use crate::spending::{Done, FollowUp};
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
    /// A file account: its transactions come from imports, there is
    /// nothing to pull.
    FromFiles,
}

/// One run of a sync: whose account, and the id naming its raw pages.
#[derive(Debug, Clone, Copy)]
struct SyncRun {
    user: UserId,
    account_id: i64,
    id: i64,
}

impl SyncRun {
    /// Where this run's raw pages go: `raw/<user>/<account>/<sync id>/`,
    /// each page at `<page number, five digits>.json` under it (an
    /// erasure deletes `raw/<user>/`).
    fn raw_prefix(&self) -> String {
        format!("raw/{}/{}/{}/", self.user, self.account_id, self.id)
    }
}

/// What a sync applied.
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    added: u32,
    modified: u32,
    removed: u32,
    pages: u32,
}

impl Counts {
    /// `new_rows`: the page's added transactions that were not there.
    fn add(&mut self, page: &SyncPage, new_rows: u32) {
        self.added += new_rows;
        self.modified += page.modified.len() as u32;
        self.removed += page.removed.len() as u32;
    }
}

/// How pulling the pages ended.
#[derive(Debug)]
enum Pulled {
    /// What the pages changed, and what the institution said to the user.
    Done(Counts, Vec<String>),
    /// Unlinked or erased meanwhile.
    Gone,
    /// The institution refused.
    Refused(AccountStatus, &'static str),
}

/// Why an account cannot be synced: its new status, and the message.
type Refusal = (AccountStatus, &'static str);

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
        if row.institution == crate::imports::FILE_INSTITUTION {
            return Ok(SyncOutcome::FromFiles);
        }
        let (institution, credentials) = match self.open(user, &row) {
            Ok(opened) => opened,
            Err((status, message)) => return self.fail(user, account_id, status, message).await,
        };
        let sync = SyncRun {
            user,
            account_id,
            id: self.ids.next_id(),
        };
        tracing::info!(user_id = %user, account_id, sync_id = sync.id, "sync started");
        match self
            .pull(&sync, institution.as_ref(), &credentials, row.sync_cursor)
            .await?
        {
            Pulled::Gone => Ok(SyncOutcome::AccountGone),
            Pulled::Refused(status, message) => self.fail(user, account_id, status, message).await,
            Pulled::Done(counts, notices) => self.finish(&sync, counts, &notices).await,
        }
    }

    /// The account's institution and its opened credentials, or the status
    /// and message the account gets when there is no way to sync it.
    fn open(
        &self,
        user: UserId,
        row: &accounts::Model,
    ) -> Result<(Arc<dyn Institution>, Credentials), Refusal> {
        let Some(institution) = self.institutions.get(&row.institution) else {
            return Err((AccountStatus::Error, "unknown institution"));
        };
        match self
            .cipher
            .open(user.get(), row.id, &row.credentials_ciphertext)
        {
            Ok(credentials) => Ok((institution.clone(), credentials)),
            Err(_) => {
                // Retrying cannot help (a rotated MONETA_CREDENTIALS_KEY,
                // or a damaged row): the user must link again.
                tracing::error!(user_id = %user, account_id = row.id, "sealed credentials do not open");
                Err((
                    AccountStatus::LoginRequired,
                    "please link this account again",
                ))
            }
        }
    }

    /// Pulls and applies pages from `cursor` until the institution has no
    /// more, refuses, or the account goes.
    async fn pull(
        &self,
        sync: &SyncRun,
        institution: &dyn Institution,
        credentials: &Credentials,
        mut cursor: Option<String>,
    ) -> Result<Pulled, InternalError> {
        let mut carried = CarriedOverrides::new();
        let mut counts = Counts::default();
        let mut notices: Vec<String> = Vec::new();
        loop {
            let page = match institution.sync(credentials, cursor.as_deref()).await {
                Ok(page) => page,
                Err(InstitutionError::LoginRequired | InstitutionError::LoginFailed) => {
                    return Ok(Pulled::Refused(
                        AccountStatus::LoginRequired,
                        "the bank needs you to log in again",
                    ));
                }
                Err(error) => {
                    tracing::warn!(user_id = %sync.user, account_id = sync.account_id, %error, "institution sync failed");
                    return Ok(Pulled::Refused(
                        AccountStatus::Error,
                        "the bank could not be reached",
                    ));
                }
            };
            counts.pages += 1;
            self.store_raw(sync, counts.pages, &page).await?;
            crash_point!("sync.page.stored");
            let first_page = cursor.is_none();
            let applied = self
                .apply_page(sync.user, sync.account_id, &page, first_page, &mut carried)
                .await?;
            crash_point!("sync.page.committed");
            if !applied.account_exists {
                // Unlinked or erased meanwhile: the pages this sync stored
                // (perhaps after the erasure deleted the user's) go too.
                self.raw_pages.delete_prefix(&sync.raw_prefix()).await?;
                return Ok(Pulled::Gone);
            }
            counts.add(&page, applied.new_rows);
            for notice in page.notices {
                if !notices.contains(&notice) {
                    notices.push(notice);
                }
            }
            cursor = Some(page.next_cursor);
            if !page.has_more || counts.pages as usize >= MAX_PAGES {
                return Ok(Pulled::Done(counts, notices));
            }
        }
    }

    /// Keeps the page as the institution sent it, before applying it.
    async fn store_raw(
        &self,
        sync: &SyncRun,
        number: u32,
        page: &SyncPage,
    ) -> Result<(), InternalError> {
        let raw = serde_json::to_vec(page)
            .map_err(|e| InternalError::Corrupt(format!("page encoding: {e}")))?;
        let path = format!("{}{number:05}.json", sync.raw_prefix());
        self.raw_pages.put(&path, raw).await
    }

    /// One transaction per page, with the record of the months it changed:
    /// retried whole on a deadlock. (Imports apply their files' pages
    /// through here too.)
    pub(crate) async fn apply_page(
        &self,
        user: UserId,
        account_id: i64,
        page: &SyncPage,
        first_page: bool,
        carried: &mut CarriedOverrides,
    ) -> Result<Applied, InternalError> {
        let mut retry = TransientRetry::default();
        loop {
            let target = PageApply {
                db: &self.db,
                categorizer: &self.categorizer,
                ids: &self.ids,
                user,
                account_id,
                now: self.clock.now(),
                first_page,
            };
            match target.apply(page, carried).await {
                Err(e) if retry.again(&e).await => {}
                other => return other,
            }
        }
    }

    /// After the last page: the follow-up, the status, the notification
    /// (if anything changed, or the institution had something to say) and
    /// the event.
    async fn finish(
        &self,
        sync: &SyncRun,
        counts: Counts,
        notices: &[String],
    ) -> Result<SyncOutcome, InternalError> {
        let (user, account_id) = (sync.user, sync.account_id);
        crash_point!("sync.follow_up.before");
        let done = self.follow_up.carry_out(user).await?;
        crash_point!("sync.follow_up.after");
        let Counts {
            added,
            modified,
            removed,
            pages,
        } = counts;
        // A sync that changed nothing says so live, but stores nothing: a
        // daily "synced" note per account would bury the alerts.
        let note = (added + modified + removed > 0 || !notices.is_empty()).then(|| {
            let mut message = format!(
                "Account synced: {added} new, {modified} updated, {removed} removed transactions"
            );
            if !notices.is_empty() {
                message.push_str(". Your bank says: ");
                message.push_str(&notices.join("; "));
            }
            NewNotification::plain(NotificationKind::SyncCompleted, message)
        });
        self.conclude(user, account_id, AccountStatus::Active, note, done)
            .await?;
        self.publish(user, account_id, added, modified, removed)
            .await;
        tracing::info!(user_id = %user, account_id, sync_id = sync.id, pages, added, modified, removed, "sync finished");
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
        let done = self.follow_up.carry_out(user).await?;
        let note = NewNotification::plain(
            NotificationKind::SyncFailed,
            format!("Account sync failed: {message}"),
        );
        self.conclude(user, account_id, status, Some(note), done)
            .await?;
        self.publish(user, account_id, 0, 0, 0).await;
        tracing::info!(user_id = %user, account_id, status = status.as_str(), "sync failed");
        Ok(SyncOutcome::Failed(status))
    }

    /// The account's new status (and, when active, its sync time), the
    /// notification that says how the sync ended, and the clearing of the
    /// follow-up record just carried out, committed together.
    pub(crate) async fn conclude(
        &self,
        user: UserId,
        account_id: i64,
        status: AccountStatus,
        note: Option<NewNotification>,
        done: Done,
    ) -> Result<(), InternalError> {
        let now = self.clock.now();
        let mut update = accounts::Entity::update_many()
            .col_expr(accounts::Column::Status, Expr::value(status.as_str()))
            .col_expr(accounts::Column::UpdatedAt, Expr::value(now));
        if status == AccountStatus::Active {
            update = update.col_expr(accounts::Column::LastSyncedAt, Expr::value(now));
        }
        let tx = self.db.begin().await?;
        update
            .filter(accounts::Column::UserId.eq(user.get()))
            .filter(accounts::Column::Id.eq(account_id))
            .exec(&tx)
            .await?;
        if let Some(note) = note {
            notifications::store(&tx, &self.ids, user, note, now).await?;
        }
        done.clear(&tx).await?;
        tx.commit().await?;
        // The account's status and sync time are on the home screen.
        self.follow_up.cache.invalidate(user).await;
        Ok(())
    }

    /// Live delivery is best effort: the stored notification is the truth.
    /// A subscriber resolves the account itself (and says nothing if it
    /// was unlinked meanwhile).
    pub(crate) async fn publish(
        &self,
        user: UserId,
        account_id: i64,
        added: u32,
        modified: u32,
        removed: u32,
    ) {
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
