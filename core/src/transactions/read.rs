//! Transactions as the rest of the domain reads them; the API reads
//! them through [`Transactions`].

use chrono::{DateTime, Utc};
use moneta_entities::transactions;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::UserId;
use crate::cache::{ReadCache, View};
use crate::categories::{Category, CategorySource};
use crate::error::InternalError;
use crate::money::Money;
use crate::month::Month;

/// One bank transaction of a user.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Transaction {
    pub id: i64,
    pub user_id: UserId,
    pub account_id: i64,
    pub posted_at: DateTime<Utc>,
    /// The month of `posted_at`, UTC.
    #[serde(with = "crate::month::as_int")]
    pub month: Month,
    /// As the bank printed it.
    pub seller_raw: String,
    /// The dictionary key or normalized seller.
    pub seller_key: String,
    /// Positive: money spent; negative: money received.
    #[serde(rename = "amount_cents")]
    pub amount: Money,
    pub pending: bool,
    /// What the categorizer decided.
    pub computed_category: Category,
    pub computed_source: CategorySource,
    /// What the user chose, if anything.
    pub user_category: Option<Category>,
    /// The rule that set the computed category or display name.
    pub rule_id: Option<i64>,
    /// A rule's name for the merchant.
    pub display_name: Option<String>,
    /// The transfer this is a leg of (also when the user rejected it).
    pub transfer_id: Option<i64>,
}

impl Transaction {
    /// The category that counts: the user's if they chose one.
    pub fn category(&self) -> Category {
        self.user_category.unwrap_or(self.computed_category)
    }

    pub fn category_source(&self) -> CategorySource {
        if self.user_category.is_some() {
            CategorySource::User
        } else {
            self.computed_source
        }
    }
}

impl TryFrom<transactions::Model> for Transaction {
    type Error = InternalError;

    fn try_from(m: transactions::Model) -> Result<Self, Self::Error> {
        let corrupt = |e: crate::categories::UnknownCategory| InternalError::Corrupt(e.to_string());
        Ok(Self {
            id: m.id,
            user_id: UserId::new(m.user_id),
            account_id: m.account_id,
            posted_at: m.posted_at,
            month: Month::from_int(m.month)
                .map_err(|_| InternalError::Corrupt(format!("transaction month {}", m.month)))?,
            seller_raw: m.seller_raw,
            seller_key: m.seller_normalized,
            amount: Money::from_cents(m.amount_cents),
            pending: m.pending,
            computed_category: m.category.parse().map_err(corrupt)?,
            computed_source: m.category_source.parse().map_err(corrupt)?,
            user_category: m
                .user_category
                .map(|c| c.parse())
                .transpose()
                .map_err(corrupt)?,
            rule_id: m.rule_id,
            display_name: m.display_name,
            transfer_id: m.transfer_id,
        })
    }
}

/// The user's transaction with this id; another user's id finds nothing.
pub async fn find(
    db: &impl ConnectionTrait,
    user: UserId,
    id: i64,
) -> Result<Option<Transaction>, InternalError> {
    transactions::Entity::find()
        .filter(transactions::Column::UserId.eq(user.get()))
        .filter(transactions::Column::Id.eq(id))
        .one(db)
        .await?
        .map(Transaction::try_from)
        .transpose()
}

/// Which of a user's transactions to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransactionFilter {
    pub account_id: Option<i64>,
    pub month: Option<Month>,
    /// The category that counts (the user's override first).
    pub category: Option<Category>,
    /// Text the seller (as the bank wrote it) or the merchant's display
    /// name contains, in any case.
    pub seller: Option<SellerSearch>,
}

/// What a seller search looks for: 1 to [`SellerSearch::MAX_CHARS`]
/// characters once trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SellerSearch(String);

impl SellerSearch {
    pub const MAX_CHARS: usize = 100;

    /// `text` trimmed (and lowercased: the search ignores case); `None`
    /// when nothing is left or it is too long.
    pub fn new(text: &str) -> Option<Self> {
        let text = text.trim();
        let chars = text.chars().count();
        (1..=Self::MAX_CHARS)
            .contains(&chars)
            .then(|| Self(text.to_lowercase()))
    }

    /// A `LIKE` pattern matching the text anywhere, its own `%`, `_` and
    /// `\` taken literally (escaped with `\`).
    fn pattern(&self) -> String {
        let mut pattern = String::with_capacity(self.0.len() + 2);
        pattern.push('%');
        for c in self.0.chars() {
            if matches!(c, '%' | '_' | '\\') {
                pattern.push('\\');
            }
            pattern.push(c);
        }
        pattern.push('%');
        pattern
    }
}

/// Where a page starts: strictly after this (posted_at, id), newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub posted_at: DateTime<Utc>,
    pub id: i64,
}

/// Up to `limit` of the user's transactions, newest first, strictly after
/// `after`: keyset pagination on (posted_at, id) within one user — one
/// shard, one index range.
pub async fn page(
    db: &impl ConnectionTrait,
    user: UserId,
    filter: TransactionFilter,
    after: Option<Position>,
    limit: u64,
) -> Result<Vec<Transaction>, InternalError> {
    use sea_orm::sea_query::{Condition, Expr, Func, LikeExpr};
    use sea_orm::{ExprTrait as _, QueryOrder, QuerySelect};
    use transactions::Column as C;

    let mut query = transactions::Entity::find().filter(C::UserId.eq(user.get()));
    if let Some(account) = filter.account_id {
        query = query.filter(C::AccountId.eq(account));
    }
    if let Some(month) = filter.month {
        query = query.filter(C::Month.eq(month.as_int()));
    }
    if let Some(category) = filter.category {
        query = query.filter(
            Condition::any()
                .add(C::UserCategory.eq(category.as_str()))
                .add(
                    Condition::all()
                        .add(C::UserCategory.is_null())
                        .add(C::Category.eq(category.as_str())),
                ),
        );
    }
    if let Some(seller) = &filter.seller {
        let like = || LikeExpr::new(seller.pattern()).escape('\\');
        query = query.filter(
            Condition::any()
                .add(Expr::expr(Func::lower(Expr::col(C::SellerRaw))).like(like()))
                .add(Expr::expr(Func::lower(Expr::col(C::DisplayName))).like(like())),
        );
    }
    if let Some(after) = after {
        query = query.filter(
            Condition::any().add(C::PostedAt.lt(after.posted_at)).add(
                Condition::all()
                    .add(C::PostedAt.eq(after.posted_at))
                    .add(C::Id.lt(after.id)),
            ),
        );
    }
    query
        .order_by_desc(C::PostedAt)
        .order_by_desc(C::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(Transaction::try_from)
        .collect()
}

/// [`page`], with the first page of the unfiltered list — what the home
/// screen shows — read through the cache.
pub async fn page_cached(
    db: &impl ConnectionTrait,
    cache: &ReadCache,
    user: UserId,
    filter: TransactionFilter,
    after: Option<Position>,
    limit: u64,
) -> Result<Vec<Transaction>, InternalError> {
    if filter == TransactionFilter::default() && after.is_none() {
        cache
            .get_or_load(user, View::RecentTransactions(limit), || {
                page(db, user, filter, after, limit)
            })
            .await
    } else {
        page(db, user, filter, after, limit).await
    }
}

/// The users' transactions, over the database and the read cache.
#[derive(Debug, Clone)]
pub struct Transactions {
    db: DatabaseConnection,
    cache: ReadCache,
}

impl Transactions {
    pub fn new(db: DatabaseConnection, cache: ReadCache) -> Self {
        Self { db, cache }
    }

    /// [`find`]: the user's transaction with this id.
    pub async fn find(&self, user: UserId, id: i64) -> Result<Option<Transaction>, InternalError> {
        find(&self.db, user, id).await
    }

    /// [`page_cached`]: up to `limit` of the user's transactions, newest
    /// first, the home screen's first page through the cache.
    pub async fn page(
        &self,
        user: UserId,
        filter: TransactionFilter,
        after: Option<Position>,
        limit: u64,
    ) -> Result<Vec<Transaction>, InternalError> {
        page_cached(&self.db, &self.cache, user, filter, after, limit).await
    }
}

#[cfg(test)]
mod tests {
    use super::SellerSearch;

    #[test]
    fn a_search_is_trimmed_lowercased_and_bounded() {
        assert_eq!(
            SellerSearch::new("  Star "),
            Some(SellerSearch("star".into()))
        );
        assert_eq!(SellerSearch::new("   "), None);
        assert!(SellerSearch::new(&"x".repeat(SellerSearch::MAX_CHARS)).is_some());
        assert_eq!(
            SellerSearch::new(&"x".repeat(SellerSearch::MAX_CHARS + 1)),
            None
        );
    }

    #[test]
    fn wildcards_in_a_search_are_taken_literally() {
        let search = SellerSearch::new(r"50%_off\").unwrap();
        assert_eq!(search.pattern(), r"%50\%\_off\\%");
    }
}
