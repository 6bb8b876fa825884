//! Finding transfers as a sync page lands, inside the page's own database
//! transaction: its posted transactions against the user's other
//! accounts' unpaired ones.

use std::collections::{BTreeSet, HashSet};

use chrono::{DateTime, Duration, Utc};
use moneta_entities::{transactions, transfers};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::TransferState;
use super::matcher::{Leg, Pairing, WINDOW_DAYS, pair, reads_like_transfer};
use crate::categories::{Category, CategorySource};
use crate::error::InternalError;
use crate::money::Money;
use crate::month::Month;
use crate::{IdGenerator, UserId};

/// What the page that is landing offers.
#[derive(Debug, Clone, Copy)]
pub struct Landing<'a> {
    pub user: UserId,
    pub account_id: i64,
    /// Provider ids of the page's posted transactions.
    pub provider_ids: &'a [&'a str],
    /// Those of them the institution hinted are transfers.
    pub hinted: &'a HashSet<&'a str>,
    pub now: DateTime<Utc>,
}

/// A stored row as a candidate leg, with what a pair overwrites.
struct Candidate {
    leg: Leg,
    month: Month,
    category: String,
    source: String,
}

/// Whether a stored row may become a leg: posted, not a leg already
/// (nor a rejected one), not the user's own choice or their rule's.
fn eligible(row: &transactions::Model) -> bool {
    !row.pending
        && row.transfer_id.is_none()
        && row.user_category.is_none()
        && row.category_source != CategorySource::Rule.as_str()
        && row.amount_cents != 0
}

fn candidate(row: transactions::Model, hint: bool) -> Result<Candidate, InternalError> {
    let source = row.category_source;
    let known =
        source == CategorySource::SellerMap.as_str() || source == CategorySource::Crowd.as_str();
    Ok(Candidate {
        leg: Leg {
            id: row.id,
            account_id: row.account_id,
            amount: Money::from_cents(row.amount_cents),
            posted_at: row.posted_at,
            hint,
            worded: reads_like_transfer(&row.seller_raw),
            known_merchant: known,
        },
        month: Month::from_int(row.month)
            .map_err(|_| InternalError::Corrupt(format!("transaction month {}", row.month)))?,
        category: row.category,
        source,
    })
}

/// Pairs the landing page's posted transactions with the user's other
/// accounts' unpaired ones, stores each pair as DETECTED and files both
/// legs under TRANSFER. Returns the months whose spending that moved.
pub async fn detect(
    tx: &impl ConnectionTrait,
    ids: &IdGenerator,
    landing: Landing<'_>,
) -> Result<BTreeSet<Month>, InternalError> {
    let new = landed(tx, &landing).await?;
    if new.is_empty() {
        return Ok(BTreeSet::new());
    }
    let others = counterparts(tx, &landing, &new).await?;
    if others.is_empty() {
        return Ok(BTreeSet::new());
    }
    let new_legs: Vec<Leg> = new.iter().map(|c| c.leg.clone()).collect();
    let other_legs: Vec<Leg> = others.iter().map(|c| c.leg.clone()).collect();
    let by_id = |id: i64| new.iter().chain(&others).find(|c| c.leg.id == id);
    let mut months = BTreeSet::new();
    for pairing in pair(&new_legs, &other_legs) {
        let (Some(out), Some(inn)) = (by_id(pairing.outflow), by_id(pairing.inflow)) else {
            continue;
        };
        store(tx, ids, &landing, pairing, out, inn).await?;
        months.extend([out.month, inn.month]);
    }
    Ok(months)
}

/// The page's posted rows that may be legs.
async fn landed(
    tx: &impl ConnectionTrait,
    landing: &Landing<'_>,
) -> Result<Vec<Candidate>, InternalError> {
    use transactions::Column as C;
    let mut new = Vec::new();
    for chunk in crate::db::batches(landing.provider_ids) {
        let rows = transactions::Entity::find()
            .filter(C::UserId.eq(landing.user.get()))
            .filter(C::AccountId.eq(landing.account_id))
            .filter(C::ProviderTransactionId.is_in(chunk.iter().copied()))
            .all(tx)
            .await?;
        for row in rows.into_iter().filter(eligible) {
            let hint = landing
                .hinted
                .contains(row.provider_transaction_id.as_str());
            new.push(candidate(row, hint)?);
        }
    }
    Ok(new)
}

/// The user's other accounts' unpaired rows of the opposite amounts, in
/// the window around the new ones (an index range on posting time).
async fn counterparts(
    tx: &impl ConnectionTrait,
    landing: &Landing<'_>,
    new: &[Candidate],
) -> Result<Vec<Candidate>, InternalError> {
    use transactions::Column as C;
    let (Some(first), Some(last)) = (
        new.iter().map(|c| c.leg.posted_at).min(),
        new.iter().map(|c| c.leg.posted_at).max(),
    ) else {
        return Ok(Vec::new());
    };
    let wanted: BTreeSet<i64> = new.iter().map(|c| -c.leg.amount.cents()).collect();
    let wanted: Vec<i64> = wanted.into_iter().collect();
    let mut others = Vec::new();
    for chunk in crate::db::batches(&wanted) {
        let rows = transactions::Entity::find()
            .filter(C::UserId.eq(landing.user.get()))
            .filter(C::AccountId.ne(landing.account_id))
            .filter(C::PostedAt.gte(first - Duration::days(WINDOW_DAYS)))
            .filter(C::PostedAt.lte(last + Duration::days(WINDOW_DAYS)))
            .filter(C::AmountCents.is_in(chunk.iter().copied()))
            .filter(C::TransferId.is_null())
            .all(tx)
            .await?;
        for row in rows.into_iter().filter(eligible) {
            others.push(candidate(row, false)?);
        }
    }
    Ok(others)
}

/// Stores one pair and files both legs under TRANSFER.
async fn store(
    tx: &impl ConnectionTrait,
    ids: &IdGenerator,
    landing: &Landing<'_>,
    pairing: Pairing,
    out: &Candidate,
    inn: &Candidate,
) -> Result<(), InternalError> {
    use transactions::Column as C;
    let user = landing.user.get();
    let id = ids.next_id();
    transfers::Entity::insert(transfers::ActiveModel {
        user_id: Set(user),
        id: Set(id),
        outflow_id: Set(pairing.outflow),
        inflow_id: Set(pairing.inflow),
        state: Set(TransferState::Detected.as_str().to_owned()),
        confidence: Set(i32::from(pairing.confidence)),
        outflow_previous_category: Set(out.category.clone()),
        outflow_previous_source: Set(out.source.clone()),
        inflow_previous_category: Set(inn.category.clone()),
        inflow_previous_source: Set(inn.source.clone()),
        created_at: Set(landing.now),
        updated_at: Set(landing.now),
    })
    .exec_without_returning(tx)
    .await?;
    transactions::Entity::update_many()
        .col_expr(C::Category, Expr::value(Category::Transfer.as_str()))
        .col_expr(
            C::CategorySource,
            Expr::value(CategorySource::Transfer.as_str()),
        )
        .col_expr(C::TransferId, Expr::value(id))
        .col_expr(C::UpdatedAt, Expr::value(landing.now))
        .filter(C::UserId.eq(user))
        .filter(C::Id.is_in([pairing.outflow, pairing.inflow]))
        .exec(tx)
        .await?;
    tracing::info!(
        user_id = %landing.user,
        transfer_id = id,
        confidence = pairing.confidence,
        "transfer detected"
    );
    Ok(())
}
