//! Applying one institution page to a user's data, in one database
//! transaction on the user's shard, together with the cursor advance and
//! the record of the months it changed (`spending::mark`): a crash before
//! commit leaves the old cursor and no change; after commit, the new
//! cursor, every change and the follow-up they owe, which outlives the
//! process. Re-applying a page changes nothing.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Datelike, Utc};
use moneta_entities::{accounts, transactions};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
    TransactionTrait,
};

use crate::categories::Categorizer;
use crate::error::InternalError;
use crate::institutions::{ProviderTransaction, SyncPage};
use crate::{IdGenerator, UserId, spending};

/// Rows per statement (Vitess rule 7).
const CHUNK: usize = 500;

/// The `yyyymm` month of an instant, UTC.
pub fn month_of(at: DateTime<Utc>) -> i32 {
    at.year() * 100 + at.month() as i32
}

/// What applying a page did.
#[derive(Debug, Default)]
pub struct Applied {
    pub months: BTreeSet<i32>,
    /// False when the account vanished (unlinked mid-sync): nothing written.
    pub account_exists: bool,
}

/// The user's overrides of pending transactions removed by this sync,
/// kept for the posted transactions that replace them in later pages.
pub type CarriedOverrides = HashMap<String, String>;

#[allow(clippy::too_many_arguments)]
pub async fn apply_page(
    db: &DatabaseConnection,
    categorizer: &Categorizer,
    ids: &IdGenerator,
    user: UserId,
    account_id: i64,
    page: &SyncPage,
    carried: &mut CarriedOverrides,
    now: DateTime<Utc>,
) -> Result<Applied, InternalError> {
    let mut applied = Applied::default();
    let changed: Vec<&ProviderTransaction> = page.added.iter().chain(&page.modified).collect();
    let raw_sellers: Vec<&str> = changed.iter().map(|t| t.seller.as_str()).collect();
    // Reads of the dictionary and crowd happen before the transaction.
    let categorized = categorizer.categorize(db, &raw_sellers).await?;

    let tx = db.begin().await?;
    // Advance the cursor first: it also proves the account still exists
    // and locks its row against a concurrent unlink.
    let cursor = accounts::Entity::update_many()
        .col_expr(
            accounts::Column::SyncCursor,
            Expr::value(page.next_cursor.clone()),
        )
        .col_expr(accounts::Column::UpdatedAt, Expr::value(now))
        .filter(accounts::Column::UserId.eq(user.get()))
        .filter(accounts::Column::Id.eq(account_id))
        .exec(&tx)
        .await?;
    if cursor.rows_affected == 0 {
        tx.rollback().await?;
        return Ok(applied);
    }
    applied.account_exists = true;

    // Overrides on pending transactions this page replaces, and the
    // months that rows this page moves or removes leave.
    let pending_ids: Vec<&str> = page
        .added
        .iter()
        .filter_map(|t| t.pending_transaction_id.as_deref())
        .chain(page.removed.iter().map(String::as_str))
        .chain(page.modified.iter().map(|t| t.provider_id.as_str()))
        .collect();
    let leaving: HashSet<&str> = page
        .removed
        .iter()
        .map(String::as_str)
        .chain(page.modified.iter().map(|t| t.provider_id.as_str()))
        .collect();
    for chunk in pending_ids.chunks(CHUNK) {
        let rows: Vec<(String, Option<String>, i32)> = transactions::Entity::find()
            .select_only()
            .column(transactions::Column::ProviderTransactionId)
            .column(transactions::Column::UserCategory)
            .column(transactions::Column::Month)
            .filter(transactions::Column::UserId.eq(user.get()))
            .filter(transactions::Column::AccountId.eq(account_id))
            .filter(transactions::Column::ProviderTransactionId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(&tx)
            .await?;
        for (provider_id, user_category, month) in rows {
            if leaving.contains(provider_id.as_str()) {
                applied.months.insert(month);
            }
            if let Some(category) = user_category {
                carried.insert(provider_id, category);
            }
        }
    }

    // Upsert added and modified rows. The unique key is (user, account,
    // provider id); on conflict only what the bank may change is updated —
    // never the ids, never the computed category (no silent
    // re-categorization), never the user's override.
    let rows: Vec<transactions::ActiveModel> = changed
        .iter()
        .zip(&categorized)
        .map(|(t, c)| {
            applied.months.insert(month_of(t.posted_at));
            let carried_override = t
                .pending_transaction_id
                .as_ref()
                .and_then(|p| carried.get(p))
                .cloned();
            transactions::ActiveModel {
                user_id: Set(user.get()),
                id: Set(ids.next_id()),
                account_id: Set(account_id),
                provider_transaction_id: Set(t.provider_id.clone()),
                pending: Set(t.pending),
                pending_transaction_id: Set(t.pending_transaction_id.clone()),
                posted_at: Set(t.posted_at),
                month: Set(month_of(t.posted_at)),
                seller_raw: Set(truncate(&t.seller, 255)),
                seller_normalized: Set(c.seller_key.clone()),
                amount_cents: Set(t.amount_cents),
                category: Set(c.category.as_str().to_owned()),
                category_source: Set(c.source.as_str().to_owned()),
                user_category: Set(carried_override),
                created_at: Set(now),
                updated_at: Set(now),
            }
        })
        .collect();
    for chunk in rows.chunks(CHUNK) {
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
            .exec_without_returning(&tx)
            .await?;
    }

    for chunk in page.removed.chunks(CHUNK) {
        transactions::Entity::delete_many()
            .filter(transactions::Column::UserId.eq(user.get()))
            .filter(transactions::Column::AccountId.eq(account_id))
            .filter(transactions::Column::ProviderTransactionId.is_in(chunk.iter().cloned()))
            .exec(&tx)
            .await?;
    }
    spending::mark(&tx, ids, user, applied.months.iter().copied(), now).await?;
    tx.commit().await?;
    Ok(applied)
}

fn truncate(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}
