//! A rule applied to a user's existing transactions: what it would
//! change (the preview), the change itself, and its undo — each in one
//! database transaction on the user's shard, with the record of the
//! months it moved (`spending::mark`), so spending, cached views and
//! alerts follow even if the process dies right after the commit.
//!
//! A rule never touches a transaction the user categorized by hand, nor
//! a leg of a transfer (override > rule; a transfer is undone as such).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use moneta_entities::{rule_application_changes as changes, rule_applications, transactions};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};

use super::{Facts, Rule, RuleError};
use crate::categories::{Category, CategorySource, SellerDictionary, merchant_name};
use crate::error::InternalError;
use crate::month::Month;
use crate::spending::{self, Totals};
use crate::transactions::Transaction;
use crate::{IdGenerator, UserId};

/// How one transaction would change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// As it is now.
    pub transaction: Transaction,
    /// Its computed category after the rule.
    pub category: Category,
    /// Its display name after the rule.
    pub display_name: Option<String>,
}

/// One application of a rule to past transactions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub id: i64,
    pub rule_id: i64,
    pub changed: usize,
    pub created_at: DateTime<Utc>,
    pub undone_at: Option<DateTime<Utc>>,
}

impl From<rule_applications::Model> for Application {
    fn from(m: rule_applications::Model) -> Self {
        Self {
            id: m.id,
            rule_id: m.rule_id,
            changed: usize::try_from(m.changed).unwrap_or(0),
            created_at: m.created_at,
            undone_at: m.undone_at,
        }
    }
}

/// What applying `rule` to `user`'s transactions would change, newest
/// first: only transactions whose category or display name would differ.
pub async fn preview(
    db: &impl ConnectionTrait,
    dictionary: &SellerDictionary,
    user: UserId,
    rule: &Rule,
) -> Result<Vec<Change>, InternalError> {
    use transactions::Column as C;
    let rows = transactions::Entity::find()
        .filter(C::UserId.eq(user.get()))
        .filter(C::UserCategory.is_null())
        .filter(C::TransferId.is_null())
        .order_by_desc(C::PostedAt)
        .order_by_desc(C::Id)
        .all(db)
        .await?;
    let mut out = Vec::new();
    for row in rows {
        let transaction = Transaction::try_from(row)?;
        let merchant = merchant_name(None, &transaction.seller_key, dictionary);
        let facts = Facts {
            merchant: &merchant,
            seller_key: &transaction.seller_key,
            amount: transaction.amount,
            account_id: transaction.account_id,
        };
        if !rule.spec.matches(&facts) {
            continue;
        }
        let actions = &rule.spec.actions;
        let category = actions.category().unwrap_or(transaction.computed_category);
        let display_name = actions
            .display_name
            .clone()
            .or_else(|| transaction.display_name.clone());
        if category != transaction.computed_category || display_name != transaction.display_name {
            out.push(Change {
                transaction,
                category,
                display_name,
            });
        }
    }
    Ok(out)
}

/// Applies `rule` to what [`preview`] lists (read again inside the
/// transaction, after the user's other writers), recording each
/// transaction's previous values for [`undo`].
pub async fn apply(
    db: &DatabaseConnection,
    dictionary: &SellerDictionary,
    ids: &IdGenerator,
    user: UserId,
    rule: &Rule,
    now: DateTime<Utc>,
) -> Result<(Application, Vec<Change>), InternalError> {
    let tx = crate::db::begin_without_gap_locks(db).await?;
    spending::take_turn(&tx, user).await?;
    let found = preview(&tx, dictionary, user, rule).await?;
    let application = Application {
        id: ids.next_id(),
        rule_id: rule.id,
        changed: found.len(),
        created_at: now,
        undone_at: None,
    };
    rule_applications::Entity::insert(rule_applications::ActiveModel {
        user_id: Set(user.get()),
        id: Set(application.id),
        rule_id: Set(rule.id),
        changed: Set(i32::try_from(found.len()).unwrap_or(i32::MAX)),
        created_at: Set(now),
        undone_at: Set(None),
    })
    .exec_without_returning(&tx)
    .await?;
    let records: Vec<changes::ActiveModel> = found
        .iter()
        .map(|c| changes::ActiveModel {
            user_id: Set(user.get()),
            application_id: Set(application.id),
            transaction_id: Set(c.transaction.id),
            month: Set(c.transaction.month.as_int()),
            previous_category: Set(c.transaction.computed_category.as_str().to_owned()),
            previous_source: Set(c.transaction.computed_source.as_str().to_owned()),
            previous_rule_id: Set(c.transaction.rule_id),
            previous_display_name: Set(c.transaction.display_name.clone()),
        })
        .collect();
    for chunk in crate::db::batches(&records) {
        changes::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&tx)
            .await?;
    }
    let mut set: Vec<(transactions::Column, SimpleExpr)> =
        vec![(transactions::Column::RuleId, Expr::value(rule.id))];
    if let Some(category) = rule.spec.actions.category() {
        set.push((
            transactions::Column::Category,
            Expr::value(category.as_str()),
        ));
        set.push((
            transactions::Column::CategorySource,
            Expr::value(CategorySource::Rule.as_str()),
        ));
    }
    if let Some(name) = &rule.spec.actions.display_name {
        set.push((
            transactions::Column::DisplayName,
            Expr::value(name.as_str()),
        ));
    }
    let ids_changed: Vec<i64> = found.iter().map(|c| c.transaction.id).collect();
    update_rows(&tx, user, &ids_changed, &set, None, now).await?;
    let months: BTreeSet<Month> = found.iter().map(|c| c.transaction.month).collect();
    spending::mark(&tx, ids, user, months, Totals::Stale, now).await?;
    tx.commit().await?;
    Ok((application, found))
}

/// Writes back what `application` changed, on the transactions the rule
/// still holds (a later rule's change stays), and marks it undone. An
/// application undone before, or another user's, is not found.
pub async fn undo(
    db: &DatabaseConnection,
    ids: &IdGenerator,
    user: UserId,
    application_id: i64,
    now: DateTime<Utc>,
) -> Result<Application, RuleError> {
    let tx = crate::db::begin_without_gap_locks(db).await?;
    spending::take_turn(&tx, user).await?;
    let undone = rule_applications::Entity::update_many()
        .col_expr(rule_applications::Column::UndoneAt, Expr::value(now))
        .filter(rule_applications::Column::UserId.eq(user.get()))
        .filter(rule_applications::Column::Id.eq(application_id))
        .filter(rule_applications::Column::UndoneAt.is_null())
        .exec(&tx)
        .await?;
    if undone.rows_affected == 0 {
        tx.rollback().await?;
        return Err(RuleError::ApplicationNotFound);
    }
    let application = rule_applications::Entity::find_by_id((user.get(), application_id))
        .one(&tx)
        .await?
        .map(Application::from)
        .ok_or(RuleError::ApplicationNotFound)?;
    let recorded = changes::Entity::find()
        .filter(changes::Column::UserId.eq(user.get()))
        .filter(changes::Column::ApplicationId.eq(application_id))
        .all(&tx)
        .await?;
    let mut groups: BTreeMap<Previous, Vec<i64>> = BTreeMap::new();
    let mut months = BTreeSet::new();
    for c in recorded {
        months.insert(
            Month::from_int(c.month)
                .map_err(|_| InternalError::Corrupt(format!("change month {}", c.month)))?,
        );
        groups
            .entry((
                c.previous_category,
                c.previous_source,
                c.previous_rule_id,
                c.previous_display_name,
            ))
            .or_default()
            .push(c.transaction_id);
    }
    for ((category, source, rule_id, display_name), rows) in groups {
        let set = vec![
            (transactions::Column::Category, Expr::value(category)),
            (transactions::Column::CategorySource, Expr::value(source)),
            (transactions::Column::RuleId, Expr::value(rule_id)),
            (transactions::Column::DisplayName, Expr::value(display_name)),
        ];
        update_rows(&tx, user, &rows, &set, Some(application.rule_id), now).await?;
    }
    spending::mark(&tx, ids, user, months, Totals::Stale, now).await?;
    tx.commit().await?;
    Ok(application)
}

/// A transaction's values before an application: category, source, rule,
/// display name.
type Previous = (String, String, Option<i64>, Option<String>);

/// Sets `set` on the user's transactions `rows` (those still held by
/// `held_by`, when given), a batch a statement.
async fn update_rows(
    tx: &impl ConnectionTrait,
    user: UserId,
    rows: &[i64],
    set: &[(transactions::Column, SimpleExpr)],
    held_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), InternalError> {
    for chunk in crate::db::batches(rows) {
        let mut update = transactions::Entity::update_many()
            .col_expr(transactions::Column::UpdatedAt, Expr::value(now))
            .filter(transactions::Column::UserId.eq(user.get()))
            .filter(transactions::Column::Id.is_in(chunk.iter().copied()));
        for (column, value) in set {
            update = update.col_expr(*column, value.clone());
        }
        if let Some(rule) = held_by {
            update = update.filter(transactions::Column::RuleId.eq(rule));
        }
        update.exec(tx).await?;
    }
    Ok(())
}

/// The user's applications of `rule_id`, newest first.
pub async fn of_rule(
    db: &impl ConnectionTrait,
    user: UserId,
    rule_id: i64,
) -> Result<Vec<Application>, InternalError> {
    Ok(rule_applications::Entity::find()
        .filter(rule_applications::Column::UserId.eq(user.get()))
        .filter(rule_applications::Column::RuleId.eq(rule_id))
        .order_by_desc(rule_applications::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(Application::from)
        .collect())
}
