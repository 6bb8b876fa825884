//! Importing a file: read it, plan it, find its accounts, keep the file,
//! then each statement through the sync pipeline's page apply (one user
//! per database transaction, categorized, totals adjusted, the follow-up
//! recorded), and finally the follow-up carried out, the import recorded
//! and the change published — as a sync's last step does.

use std::collections::{HashMap, HashSet};

use moneta_entities::{accounts, imports, transactions};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, TransactionTrait as _,
};
use sha2::{Digest, Sha256};

use super::error::ImportError;
use super::file_accounts::{Resolve, Target, truncate};
use super::formats;
use super::identity::hex;
use super::plan::{Plan, PlannedStatement, plan};
use super::report::{AccountImport, ImportReport, ImportRequest};
use crate::accounts::AccountStatus;
use crate::error::InternalError;
use crate::institutions::SyncPage;
use crate::notifications::{self, NewNotification, NotificationKind};
use crate::ports::UserEvent;
use crate::sync::{CarriedOverrides, SyncPipeline};
use crate::{UserId, crash_point};

/// The default largest file an import reads.
pub const DEFAULT_MAX_BYTES: u64 = 100 * 1024 * 1024;

/// Imports bank files.
#[derive(Debug, Clone)]
pub struct ImportService {
    /// The extraction pipeline's pieces, and its page apply.
    pub pipeline: SyncPipeline,
    /// Files larger than this are refused unread.
    pub max_bytes: u64,
    /// Accounts one user may have (an import that would create more is
    /// refused).
    pub max_accounts: u32,
}

/// One statement applied.
struct Applied {
    target: Target,
    added: u32,
    duplicates: u32,
}

impl ImportService {
    /// Imports `request` for `user`. A failure before the first statement
    /// is applied changes nothing; a crash after leaves the applied
    /// statements, which a retry of the same file counts as duplicates.
    pub async fn import(
        &self,
        user: UserId,
        request: ImportRequest,
    ) -> Result<ImportReport, ImportError> {
        let plan = self.read(&request)?;
        let p = &self.pipeline;
        let import_id = p.ids.next_id();
        let sha256 = hex(&Sha256::digest(&request.bytes));
        let targets = self.targets(user, &request, &plan, &sha256).await?;
        let path = format!(
            "raw/{user}/imports/{import_id}/{}",
            safe_name(&request.file_name)
        );
        p.raw_pages.put(&path, request.bytes.clone()).await?;
        crash_point!("import.file.stored");
        let mut applied = Vec::with_capacity(targets.len());
        for (statement, target) in plan.statements.iter().zip(targets) {
            applied.push(self.apply(user, import_id, statement, target).await?);
            crash_point!("import.statement.committed");
        }
        let format = plan.format;
        let record = Record {
            user,
            import_id,
            sha256: &sha256,
            format: format.as_str(),
            file_name: &request.file_name,
            rejected: plan.rejected.len(),
        };
        self.finish(&record, &applied).await?;
        tracing::info!(user_id = %user, import_id, format = format.as_str(), accounts = applied.len(), added = applied.iter().map(|a| a.added).sum::<u32>(), "file imported");
        Ok(report(import_id, format, plan, applied))
    }

    /// Size, format, content: everything that refuses a file before any
    /// write.
    fn read(&self, request: &ImportRequest) -> Result<Plan, ImportError> {
        if request.bytes.len() as u64 > self.max_bytes {
            return Err(ImportError::TooLarge {
                limit_mb: self.max_bytes.div_ceil(1024 * 1024),
            });
        }
        let plan = plan(formats::parse(&request.bytes, &request.options)?);
        // Rows that do not read are the error, unless the caller skips
        // them; a file with nothing else is then empty.
        if !plan.rejected.is_empty() && !request.skip_invalid_rows {
            return Err(ImportError::InvalidRows {
                rejected: plan.rejected,
            });
        }
        if plan.transactions() == 0 {
            return Err(ImportError::Empty {
                rejected: plan.rejected,
            });
        }
        Ok(plan)
    }

    /// The account of each statement (the same name, the same account).
    async fn targets(
        &self,
        user: UserId,
        request: &ImportRequest,
        plan: &Plan,
        sha256: &str,
    ) -> Result<Vec<Target>, ImportError> {
        let p = &self.pipeline;
        let resolve = Resolve {
            db: &p.db,
            ids: &p.ids,
            user,
            now: p.clock.now(),
            max_accounts: self.max_accounts,
            file_name: &request.file_name,
            sha256,
        };
        if let Some(account_id) = request.account_id {
            let target = resolve.chosen(account_id, &plan.statements).await?;
            return Ok(vec![target; plan.statements.len()]);
        }
        let fallback = match request.currency {
            Some(currency) => currency,
            None => crate::spending::home_currency(&self.pipeline.db, user).await?,
        };
        let mut by_name: HashMap<Option<&str>, Target> = HashMap::new();
        let mut targets = Vec::with_capacity(plan.statements.len());
        for statement in &plan.statements {
            let key = statement.account.as_deref();
            let target = match by_name.get(&key) {
                Some(target) => target.clone(),
                None => resolve.by_name(statement, fallback).await?,
            };
            by_name.insert(key, target.clone());
            targets.push(target);
        }
        Ok(targets)
    }

    /// One statement as one page: the transactions the account does not
    /// hold yet are added (re-applying one it holds would change nothing
    /// either; leaving it out makes the count honest).
    async fn apply(
        &self,
        user: UserId,
        import_id: i64,
        statement: &PlannedStatement,
        target: Target,
    ) -> Result<Applied, ImportError> {
        let held = self.held(user, target.account_id, statement).await?;
        let added: Vec<_> = statement
            .transactions
            .iter()
            .filter(|t| !held.contains(&t.provider_id))
            .cloned()
            .collect();
        let duplicates = (statement.transactions.len() - added.len()) as u32;
        let page = SyncPage {
            added,
            next_cursor: format!("import:{import_id}"),
            ..SyncPage::default()
        };
        let count = page.added.len() as u32;
        if count > 0 {
            let mut carried = CarriedOverrides::new();
            self.pipeline
                .apply_page(user, target.account_id, &page, false, &mut carried)
                .await?;
        }
        Ok(Applied {
            target,
            added: count,
            duplicates,
        })
    }

    /// The statement's provider ids the account already holds.
    async fn held(
        &self,
        user: UserId,
        account_id: i64,
        statement: &PlannedStatement,
    ) -> Result<HashSet<String>, InternalError> {
        let ids: Vec<&str> = statement
            .transactions
            .iter()
            .map(|t| t.provider_id.as_str())
            .collect();
        let mut held = HashSet::new();
        for chunk in crate::db::batches(&ids) {
            let rows: Vec<String> = transactions::Entity::find()
                .select_only()
                .column(transactions::Column::ProviderTransactionId)
                .filter(transactions::Column::UserId.eq(user.get()))
                .filter(transactions::Column::AccountId.eq(account_id))
                .filter(transactions::Column::ProviderTransactionId.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(&self.pipeline.db)
                .await?;
            held.extend(rows);
        }
        Ok(held)
    }

    /// The follow-up carried out (totals, cached views, alerts); then, in
    /// one transaction, the accounts' import time, the import's records,
    /// its notification and the follow-up's clearing; then the event.
    async fn finish(&self, record: &Record<'_>, applied: &[Applied]) -> Result<(), ImportError> {
        let p = &self.pipeline;
        let user = record.user;
        let done = p.follow_up.carry_out(user).await?;
        let now = p.clock.now();
        let tx = p.db.begin().await?;
        let mut seen = HashSet::new();
        for a in applied {
            if seen.insert(a.target.account_id) {
                accounts::Entity::update_many()
                    .col_expr(
                        accounts::Column::Status,
                        Expr::value(AccountStatus::Active.as_str()),
                    )
                    .col_expr(accounts::Column::LastSyncedAt, Expr::value(now))
                    .col_expr(accounts::Column::UpdatedAt, Expr::value(now))
                    .filter(accounts::Column::UserId.eq(user.get()))
                    .filter(accounts::Column::Id.eq(a.target.account_id))
                    .exec(&tx)
                    .await?;
            }
        }
        for (n, a) in applied.iter().enumerate() {
            imports::Entity::insert(record.row(n, a, now))
                .exec_without_returning(&tx)
                .await?;
        }
        let added: u32 = applied.iter().map(|a| a.added).sum();
        let duplicates: u32 = applied.iter().map(|a| a.duplicates).sum();
        let note = NewNotification::plain(
            NotificationKind::SyncCompleted,
            format!(
                "Imported {}: {added} new transactions, {duplicates} already there",
                truncate(record.file_name, 120)
            ),
        );
        notifications::store(&tx, &p.ids, user, note, now).await?;
        done.clear(&tx).await?;
        tx.commit().await?;
        p.follow_up.cache.invalidate(user).await;
        for a in applied {
            let event = UserEvent::AccountSynced {
                account_id: a.target.account_id,
                added: a.added,
                modified: 0,
                removed: 0,
            };
            if let Err(error) = p.events.publish(user, event).await {
                tracing::warn!(user_id = %user, %error, "import event not published");
            }
        }
        Ok(())
    }
}

/// The import's rows in `imports`, one per statement.
struct Record<'a> {
    user: UserId,
    import_id: i64,
    sha256: &'a str,
    format: &'a str,
    file_name: &'a str,
    rejected: usize,
}

impl Record<'_> {
    fn row(
        &self,
        n: usize,
        a: &Applied,
        now: chrono::DateTime<chrono::Utc>,
    ) -> imports::ActiveModel {
        imports::ActiveModel {
            user_id: Set(self.user.get()),
            // The first statement's row has the import's id; a file with
            // several statements gets consecutive ids after it.
            id: Set(self.import_id + n as i64),
            account_id: Set(a.target.account_id),
            sha256: Set(self.sha256.to_owned()),
            format: Set(self.format.to_owned()),
            file_name: Set(truncate(self.file_name, 255).to_owned()),
            added: Set(a.added as i32),
            duplicates: Set(a.duplicates as i32),
            rejected: Set(if n == 0 { self.rejected as i32 } else { 0 }),
            created_at: Set(now),
        }
    }
}

fn report(
    import_id: i64,
    format: super::Format,
    plan: Plan,
    applied: Vec<Applied>,
) -> ImportReport {
    let mut accounts: Vec<AccountImport> = Vec::new();
    for a in applied {
        match accounts
            .iter_mut()
            .find(|x| x.account_id == a.target.account_id)
        {
            Some(existing) => {
                existing.added += a.added;
                existing.duplicates += a.duplicates;
            }
            None => accounts.push(AccountImport {
                account_id: a.target.account_id,
                display_name: a.target.display_name,
                currency: a.target.currency,
                created: a.target.created,
                added: a.added,
                duplicates: a.duplicates,
            }),
        }
    }
    ImportReport {
        import_id,
        format,
        accounts,
        repeated_ids: plan
            .statements
            .into_iter()
            .flat_map(|s| s.repeated_ids)
            .collect(),
        rejected: plan.rejected,
    }
}

/// The file's name as an object-store key segment: letters, digits, `.`,
/// `-` and `_`; anything else `_`.
fn safe_name(name: &str) -> String {
    let cleaned: String = truncate(name, 100)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    match cleaned.trim_matches('.') {
        "" => "file".to_owned(),
        s => s.to_owned(),
    }
}
