//! Crowd-sourced categories for sellers the dictionary does not know.
//!
//! Each user has at most one vote per seller (`user_seller_votes`, on the
//! user's shard); changing your mind moves your vote. Per-seller tallies
//! (`seller_votes`, keyed by seller) are kept up to date incrementally, so
//! a seller's standing is one indexed read of at most thirteen rows — never
//! a rescan of the votes.
//!
//! **Adoption rule.** The crowd's top category for a seller is used only
//! with at least [`MIN_VOTERS`] distinct users behind it *and* a clear
//! majority: strictly more than half of everyone who voted on that seller.
//! Two users agreeing is not enough; 3 of 4 is; a 3–3 tie is not. One
//! prankster, or a small ring, cannot rename a seller for everyone.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use moneta_entities::{seller_votes, user_seller_votes};
use sea_orm::sea_query::{Expr, ExprTrait as _, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, SqlErr};

use super::Category;
use crate::UserId;
use crate::error::InternalError;

/// Fewest distinct users whose agreement the crowd's choice needs.
pub const MIN_VOTERS: i64 = 3;

/// The crowd's choice from a seller's tally, if it is clear enough.
pub fn crowd_choice(tally: &[(Category, i64)]) -> Option<Category> {
    let total: i64 = tally.iter().map(|(_, n)| n).sum();
    let (top, votes) = tally.iter().max_by_key(|(_, n)| *n)?;
    (*votes >= MIN_VOTERS && votes * 2 > total).then_some(*top)
}

/// What a vote did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoteChange {
    Cast,
    Moved { from: Category },
    Unchanged,
}

/// Records `user`'s vote that `seller` is `category`.
///
/// The user's own vote row is written first (one user, one shard); the
/// tallies follow as separate writes, each conditioned so that it applies
/// only when the user's vote really changed.
pub async fn record_vote(
    db: &impl ConnectionTrait,
    user: UserId,
    seller: &str,
    category: Category,
    now: DateTime<Utc>,
) -> Result<VoteChange, InternalError> {
    let existing = user_seller_votes::Entity::find_by_id((user.get(), seller.to_owned()))
        .one(db)
        .await?;
    let change = match existing {
        None => cast(db, user, seller, category, now).await?,
        Some(vote) if vote.category == category.as_str() => VoteChange::Unchanged,
        Some(vote) => move_vote(db, user, seller, &vote.category, category, now).await?,
    };
    if let VoteChange::Moved { from } = change {
        seller_votes::Entity::update_many()
            .col_expr(
                seller_votes::Column::Votes,
                Expr::col(seller_votes::Column::Votes).sub(1),
            )
            .col_expr(seller_votes::Column::UpdatedAt, Expr::value(now))
            .filter(seller_votes::Column::Seller.eq(seller))
            .filter(seller_votes::Column::Category.eq(from.as_str()))
            .filter(seller_votes::Column::Votes.gt(0))
            .exec(db)
            .await?;
    }
    if change != VoteChange::Unchanged {
        seller_votes::Entity::insert(seller_votes::ActiveModel {
            seller: Set(seller.to_owned()),
            category: Set(category.as_str().to_owned()),
            votes: Set(1),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([seller_votes::Column::Seller, seller_votes::Column::Category])
                .value(
                    seller_votes::Column::Votes,
                    Expr::col(seller_votes::Column::Votes).add(1),
                )
                .value(seller_votes::Column::UpdatedAt, Expr::value(now))
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    }
    Ok(change)
}

/// The user's first vote on the seller; `Unchanged` when a concurrent
/// request of theirs voted first.
async fn cast(
    db: &impl ConnectionTrait,
    user: UserId,
    seller: &str,
    category: Category,
    now: DateTime<Utc>,
) -> Result<VoteChange, InternalError> {
    let inserted = user_seller_votes::Entity::insert(user_seller_votes::ActiveModel {
        user_id: Set(user.get()),
        seller: Set(seller.to_owned()),
        category: Set(category.as_str().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await;
    match inserted {
        Ok(_) => Ok(VoteChange::Cast),
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Ok(VoteChange::Unchanged)
        }
        Err(e) => Err(e.into()),
    }
}

/// Moves the user's vote from `was` to `category`, if it is still `was`
/// (a concurrent move wins otherwise: `Unchanged`).
async fn move_vote(
    db: &impl ConnectionTrait,
    user: UserId,
    seller: &str,
    was: &str,
    category: Category,
    now: DateTime<Utc>,
) -> Result<VoteChange, InternalError> {
    let from = was.parse::<Category>()?;
    let moved = user_seller_votes::Entity::update_many()
        .col_expr(
            user_seller_votes::Column::Category,
            Expr::value(category.as_str()),
        )
        .col_expr(user_seller_votes::Column::UpdatedAt, Expr::value(now))
        .filter(user_seller_votes::Column::UserId.eq(user.get()))
        .filter(user_seller_votes::Column::Seller.eq(seller))
        .filter(user_seller_votes::Column::Category.eq(was))
        .exec(db)
        .await?;
    if moved.rows_affected != 1 {
        return Ok(VoteChange::Unchanged);
    }
    Ok(VoteChange::Moved { from })
}

/// Withdraws every vote of `user` (their erasure): each vote row is
/// deleted, then — only if this call deleted it — its seller's tally goes
/// down by one. Concurrent or repeated calls never take a vote off twice;
/// a crash between the two writes of one vote leaves that tally one too
/// high (the same trade as [`record_vote`]: a separate write on another
/// keyspace, never a cross-shard transaction). Returns how many went.
pub async fn retract_votes(
    db: &impl ConnectionTrait,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<u64, InternalError> {
    use sea_orm::{QueryOrder, QuerySelect};
    use user_seller_votes::Column as C;
    let mut retracted = 0;
    loop {
        let votes: Vec<(String, String)> = user_seller_votes::Entity::find()
            .select_only()
            .column(C::Seller)
            .column(C::Category)
            .filter(C::UserId.eq(user.get()))
            .order_by_asc(C::Seller)
            .limit(RETRACT_BATCH)
            .into_tuple()
            .all(db)
            .await?;
        for (seller, category) in &votes {
            let gone = user_seller_votes::Entity::delete_many()
                .filter(C::UserId.eq(user.get()))
                .filter(C::Seller.eq(seller.as_str()))
                .filter(C::Category.eq(category.as_str()))
                .exec(db)
                .await?
                .rows_affected;
            if gone == 0 {
                continue; // Moved or withdrawn meanwhile: not ours to count.
            }
            seller_votes::Entity::update_many()
                .col_expr(
                    seller_votes::Column::Votes,
                    Expr::col(seller_votes::Column::Votes).sub(1),
                )
                .col_expr(seller_votes::Column::UpdatedAt, Expr::value(now))
                .filter(seller_votes::Column::Seller.eq(seller.as_str()))
                .filter(seller_votes::Column::Category.eq(category.as_str()))
                .filter(seller_votes::Column::Votes.gt(0))
                .exec(db)
                .await?;
            retracted += 1;
        }
        if (votes.len() as u64) < RETRACT_BATCH {
            return Ok(retracted);
        }
    }
}

/// Votes read per statement while retracting.
const RETRACT_BATCH: u64 = 500;

/// A seller's tally: votes per category.
pub async fn tally(
    db: &impl ConnectionTrait,
    seller: &str,
) -> Result<Vec<(Category, i64)>, InternalError> {
    seller_votes::Entity::find()
        .filter(seller_votes::Column::Seller.eq(seller))
        .all(db)
        .await?
        .into_iter()
        .map(|row| Ok((row.category.parse::<Category>()?, row.votes)))
        .collect()
}

/// The crowd's clear choice for each of `sellers` that has one: one
/// indexed read (`seller IN (…)`) of the tallies.
pub async fn choices(
    db: &impl ConnectionTrait,
    sellers: &[&str],
) -> Result<HashMap<String, Category>, InternalError> {
    if sellers.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = seller_votes::Entity::find()
        .filter(seller_votes::Column::Seller.is_in(sellers.iter().copied()))
        .all(db)
        .await?;
    let mut tallies: HashMap<String, Vec<(Category, i64)>> = HashMap::new();
    for row in rows {
        let category = row.category.parse::<Category>()?;
        tallies
            .entry(row.seller)
            .or_default()
            .push((category, row.votes));
    }
    Ok(tallies
        .into_iter()
        .filter_map(|(seller, tally)| crowd_choice(&tally).map(|c| (seller, c)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Category::{Entertainment as E, Food as F, Shopping as S};

    #[test]
    fn two_users_agreeing_is_not_enough() {
        assert_eq!(crowd_choice(&[(F, 2)]), None);
    }

    #[test]
    fn three_of_four_is_adopted() {
        assert_eq!(crowd_choice(&[(F, 3), (S, 1)]), Some(F));
    }

    #[test]
    fn a_three_three_tie_is_not() {
        assert_eq!(crowd_choice(&[(F, 3), (S, 3)]), None);
    }

    #[test]
    fn a_plurality_without_a_majority_is_not() {
        assert_eq!(crowd_choice(&[(F, 4), (S, 3), (E, 2)]), None);
        assert_eq!(crowd_choice(&[(F, 5), (S, 3), (E, 1)]), Some(F));
        assert_eq!(crowd_choice(&[]), None);
    }
}
