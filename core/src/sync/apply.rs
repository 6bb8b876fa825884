//! Applying one institution page to a user's data, in one database
//! transaction on the user's shard, together with the cursor advance, the
//! page's adjustment of the monthly totals (`sync::deltas`, from the rows
//! as stored before it) and the record of the months it changed
//! (`spending::mark`): a crash before commit leaves the old cursor and no
//! change; after commit, the new cursor, every change, totals that count
//! it, and the follow-up it owes (invalidate, alerts), which outlives the
//! process. Re-applying a page changes nothing.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};
use moneta_entities::{accounts, transactions};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QuerySelect,
};

use super::deltas::{self, Stored};
use crate::categories::{Categorization, Categorizer, Category, CategorySource, merchant_name};
use crate::error::InternalError;
use crate::institutions::{ProviderTransaction, SyncPage};
use crate::money::Money;
use crate::month::Month;
use crate::rules::{self, Facts, RuleSet};
use crate::spending::{self, Totals};
use crate::transfers::{self, Landing};
use crate::{IdGenerator, UserId};

/// What applying a page did.
#[derive(Debug, Default)]
pub struct Applied {
    pub months: BTreeSet<Month>,
    /// False when the account vanished (unlinked mid-sync): nothing written.
    pub account_exists: bool,
    /// How many of the page's `added` the account did not hold yet (an
    /// aggregator may send again what it sent before).
    pub new_rows: u32,
}

/// The user's overrides of pending transactions removed by this sync,
/// kept for the posted transactions that replace them in later pages.
pub type CarriedOverrides = HashMap<String, Category>;

/// Whose page is applied, and with what.
#[derive(Debug, Clone, Copy)]
pub struct PageApply<'a> {
    pub db: &'a DatabaseConnection,
    pub categorizer: &'a Categorizer,
    pub ids: &'a IdGenerator,
    pub user: UserId,
    pub account_id: i64,
    pub now: DateTime<Utc>,
    /// The sync asked for this page with no cursor (the account's first
    /// sync, its backfill): the account may hold no rows yet, and when the
    /// transaction finds none, there is nothing stored to read.
    pub first_page: bool,
}

impl PageApply<'_> {
    /// Applies `page` in one transaction: the cursor, the carried
    /// overrides, the upserts, the removals and the follow-up record.
    pub async fn apply(
        &self,
        page: &SyncPage,
        carried: &mut CarriedOverrides,
    ) -> Result<Applied, InternalError> {
        let mut applied = Applied::default();
        let changed: Vec<&ProviderTransaction> = page.added.iter().chain(&page.modified).collect();
        let raw_sellers: Vec<&str> = changed.iter().map(|t| t.seller.as_str()).collect();
        // Reads of the dictionary, crowd and rules happen before the
        // transaction.
        let mut categorized = self.categorizer.categorize(self.db, &raw_sellers).await?;
        let rules = RuleSet::new(rules::load(self.db, self.user).await?);
        self.apply_rules(&rules, &changed, &mut categorized);

        let tx = crate::db::begin_without_gap_locks(self.db).await?;
        // This page's adjustments to the totals, after the user's other
        // writers' (another account's page, a recompute).
        spending::take_turn(&tx, self.user).await?;
        if !self.advance_cursor(&tx, page).await? {
            tx.rollback().await?;
            return Ok(applied);
        }
        applied.account_exists = true;
        let stored = if self.first_page && !self.holds_rows(&tx).await? {
            HashMap::new()
        } else {
            self.read_stored(&tx, page).await?
        };
        applied.new_rows = page
            .added
            .iter()
            .filter(|t| !stored.contains_key(&t.provider_id))
            .count() as u32;
        carry_overrides(page, &stored, carried, &mut applied.months);
        let computed: Vec<Category> = categorized.iter().map(|c| c.category).collect();
        let carried_category = |t: &ProviderTransaction| {
            let pending = t.pending_transaction_id.as_ref()?;
            carried.get(pending).copied()
        };
        let counted = |id: &str| stored.get(id).map(|row| &row.counted);
        let mut deltas = deltas::deltas(page, &computed, carried_category, counted);
        if spending::foreign_accounts(&tx, self.user)
            .await?
            .contains(&self.account_id)
        {
            // Not in the home currency: counted in no total.
            deltas.clear();
        }
        let rows = self.rows(&changed, &categorized, carried, &mut applied.months);
        self.upsert(&tx, rows).await?;
        self.delete_removed(&tx, page).await?;
        spending::adjust(&tx, self.user, &deltas, self.now).await?;
        let months = applied.months.iter().copied();
        spending::mark(&tx, self.ids, self.user, months, Totals::Current, self.now).await?;
        let paired = self.detect_transfers(&tx, &changed).await?;
        spending::mark(&tx, self.ids, self.user, paired, Totals::Stale, self.now).await?;
        tx.commit().await?;
        Ok(applied)
    }

    /// The user's rules, over the dictionary and the crowd: the first
    /// enabled rule that matches a transaction sets its category (and
    /// display name). The merchant a rule sees is the one before any rule.
    fn apply_rules(
        &self,
        rules: &RuleSet,
        changed: &[&ProviderTransaction],
        categorized: &mut [Categorization],
    ) {
        if rules.is_empty() {
            return;
        }
        let dictionary = self.categorizer.dictionary();
        for (t, c) in changed.iter().zip(categorized.iter_mut()) {
            let merchant = merchant_name(None, &c.seller_key, dictionary);
            let facts = Facts {
                merchant: &merchant,
                seller_key: &c.seller_key,
                amount: t.amount,
                account_id: self.account_id,
            };
            let Some(rule) = rules.first_match(&facts) else {
                continue;
            };
            c.rule_id = Some(rule.id);
            c.display_name.clone_from(&rule.spec.actions.display_name);
            if let Some(category) = rule.spec.actions.category() {
                c.category = category;
                c.source = CategorySource::Rule;
            }
        }
    }

    /// Pairs the page's posted transactions with the user's other
    /// accounts' (`transfers::detect`); the months that moved.
    async fn detect_transfers(
        &self,
        tx: &DatabaseTransaction,
        changed: &[&ProviderTransaction],
    ) -> Result<BTreeSet<Month>, InternalError> {
        let posted: Vec<&str> = changed
            .iter()
            .filter(|t| !t.pending)
            .map(|t| t.provider_id.as_str())
            .collect();
        let hinted: HashSet<&str> = changed
            .iter()
            .filter(|t| t.transfer_hint)
            .map(|t| t.provider_id.as_str())
            .collect();
        let landing = Landing {
            user: self.user,
            account_id: self.account_id,
            provider_ids: &posted,
            hinted: &hinted,
            now: self.now,
        };
        transfers::detect(tx, self.ids, landing).await
    }

    /// Advances the cursor first: it also proves the account still exists
    /// and locks its row against a concurrent unlink. False when the
    /// account is gone.
    async fn advance_cursor(
        &self,
        tx: &DatabaseTransaction,
        page: &SyncPage,
    ) -> Result<bool, InternalError> {
        let cursor = accounts::Entity::update_many()
            .col_expr(
                accounts::Column::SyncCursor,
                Expr::value(page.next_cursor.clone()),
            )
            .col_expr(accounts::Column::UpdatedAt, Expr::value(self.now))
            .filter(accounts::Column::UserId.eq(self.user.get()))
            .filter(accounts::Column::Id.eq(self.account_id))
            .exec(tx)
            .await?;
        Ok(cursor.rows_affected > 0)
    }

    /// Whether the account holds any transaction: one index probe, which
    /// spares a backfill's first page reading, for every row it brings,
    /// a stored row that cannot exist. Read after the cursor's row lock,
    /// like the rows themselves.
    async fn holds_rows(&self, tx: &DatabaseTransaction) -> Result<bool, InternalError> {
        let any: Option<i64> = transactions::Entity::find()
            .select_only()
            .column(transactions::Column::Id)
            .filter(transactions::Column::UserId.eq(self.user.get()))
            .filter(transactions::Column::AccountId.eq(self.account_id))
            .limit(1)
            .into_tuple()
            .one(tx)
            .await?;
        Ok(any.is_some())
    }

    /// Reads the account's rows this page names, as stored before it: the
    /// ones it upserts or removes, and the pending ones its posted
    /// transactions replace.
    async fn read_stored(
        &self,
        tx: &DatabaseTransaction,
        page: &SyncPage,
    ) -> Result<HashMap<String, StoredRow>, InternalError> {
        let named: BTreeSet<&str> = page
            .added
            .iter()
            .chain(&page.modified)
            .flat_map(|t| {
                [
                    Some(t.provider_id.as_str()),
                    t.pending_transaction_id.as_deref(),
                ]
            })
            .flatten()
            .chain(page.removed.iter().map(String::as_str))
            .collect();
        let named: Vec<&str> = named.into_iter().collect();
        let mut stored = HashMap::new();
        for chunk in crate::db::batches(&named) {
            let rows: Vec<(String, i32, String, Option<String>, i64)> =
                transactions::Entity::find()
                    .select_only()
                    .column(transactions::Column::ProviderTransactionId)
                    .column(transactions::Column::Month)
                    .column(transactions::Column::Category)
                    .column(transactions::Column::UserCategory)
                    .column(transactions::Column::AmountCents)
                    .filter(transactions::Column::UserId.eq(self.user.get()))
                    .filter(transactions::Column::AccountId.eq(self.account_id))
                    .filter(
                        transactions::Column::ProviderTransactionId.is_in(chunk.iter().copied()),
                    )
                    .into_tuple()
                    .all(tx)
                    .await?;
            for (provider_id, month, category, user_category, cents) in rows {
                let month = Month::from_int(month)
                    .map_err(|_| InternalError::Corrupt(format!("transaction month {month}")))?;
                let user_category = user_category
                    .as_deref()
                    .map(deltas::stored_category)
                    .transpose()?;
                let counted = Stored {
                    month,
                    category: match user_category {
                        Some(category) => category,
                        None => deltas::stored_category(&category)?,
                    },
                    amount: Money::from_cents(cents),
                };
                stored.insert(
                    provider_id,
                    StoredRow {
                        counted,
                        user_category,
                    },
                );
            }
        }
        Ok(stored)
    }

    /// The rows to upsert for the added and modified transactions, each
    /// with the override carried from the pending one it replaces.
    fn rows(
        &self,
        changed: &[&ProviderTransaction],
        categorized: &[Categorization],
        carried: &CarriedOverrides,
        months: &mut BTreeSet<Month>,
    ) -> Vec<transactions::ActiveModel> {
        changed
            .iter()
            .zip(categorized)
            .map(|(t, c)| {
                months.insert(Month::of(t.posted_at));
                let carried_override = t
                    .pending_transaction_id
                    .as_ref()
                    .and_then(|p| carried.get(p))
                    .map(|c| c.as_str().to_owned());
                transactions::ActiveModel {
                    user_id: Set(self.user.get()),
                    id: Set(self.ids.next_id()),
                    account_id: Set(self.account_id),
                    provider_transaction_id: Set(t.provider_id.clone()),
                    pending: Set(t.pending),
                    pending_transaction_id: Set(t.pending_transaction_id.clone()),
                    posted_at: Set(t.posted_at),
                    month: Set(Month::of(t.posted_at).as_int()),
                    seller_raw: Set(truncate(&t.seller, 255)),
                    seller_normalized: Set(c.seller_key.clone()),
                    amount_cents: Set(t.amount.cents()),
                    category: Set(c.category.as_str().to_owned()),
                    category_source: Set(c.source.as_str().to_owned()),
                    user_category: Set(carried_override),
                    rule_id: Set(c.rule_id),
                    display_name: Set(c.display_name.clone()),
                    transfer_id: Set(None),
                    created_at: Set(self.now),
                    updated_at: Set(self.now),
                }
            })
            .collect()
    }

    async fn upsert(
        &self,
        tx: &DatabaseTransaction,
        rows: Vec<transactions::ActiveModel>,
    ) -> Result<(), InternalError> {
        for chunk in crate::db::batches(&rows) {
            upsert_chunk(tx, chunk).await?;
        }
        Ok(())
    }

    async fn delete_removed(
        &self,
        tx: &DatabaseTransaction,
        page: &SyncPage,
    ) -> Result<(), InternalError> {
        for chunk in crate::db::batches(&page.removed) {
            transactions::Entity::delete_many()
                .filter(transactions::Column::UserId.eq(self.user.get()))
                .filter(transactions::Column::AccountId.eq(self.account_id))
                .filter(transactions::Column::ProviderTransactionId.is_in(chunk.iter().cloned()))
                .exec(tx)
                .await?;
        }
        Ok(())
    }
}

/// A stored row as the totals count it, and the user's override on it.
#[derive(Debug)]
struct StoredRow {
    counted: Stored,
    user_category: Option<Category>,
}

/// Keeps the user's overrides on the rows this page replaces (pending
/// transactions, removed or modified ones) for the posted transactions
/// that replace them, and notes the months the rows it moves or removes
/// leave.
fn carry_overrides(
    page: &SyncPage,
    stored: &HashMap<String, StoredRow>,
    carried: &mut CarriedOverrides,
    months: &mut BTreeSet<Month>,
) {
    let leaving = page
        .removed
        .iter()
        .chain(page.modified.iter().map(|t| &t.provider_id));
    for id in leaving {
        if let Some(row) = stored.get(id) {
            months.insert(row.counted.month);
        }
    }
    let replaced = page
        .added
        .iter()
        .filter_map(|t| t.pending_transaction_id.as_ref())
        .chain(&page.removed)
        .chain(page.modified.iter().map(|t| &t.provider_id));
    for id in replaced {
        if let Some(category) = stored.get(id).and_then(|row| row.user_category) {
            carried.insert(id.clone(), category);
        }
    }
}

/// Upserts `chunk` in one statement on the unique key (user, account,
/// provider id); on conflict only what the bank may change is updated —
/// never the ids, never the computed category (no silent
/// re-categorization), never the user's override. The floor
/// (`seed::upsert_floor`) sends the same statement.
pub(crate) async fn upsert_chunk(
    db: &impl ConnectionTrait,
    chunk: &[transactions::ActiveModel],
) -> Result<(), InternalError> {
    transactions::Entity::insert_many(chunk.to_vec())
        .on_conflict(
            OnConflict::columns([
                transactions::Column::UserId,
                transactions::Column::AccountId,
                transactions::Column::ProviderTransactionId,
            ])
            .update_columns([
                transactions::Column::Pending,
                transactions::Column::PendingTransactionId,
                transactions::Column::PostedAt,
                transactions::Column::Month,
                transactions::Column::SellerRaw,
                transactions::Column::AmountCents,
                transactions::Column::UpdatedAt,
            ])
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

fn truncate(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}
