//! The one way retention deletes from a user-owned table: a keyset scan
//! over the primary key `(user_id, id)` for rows matching a rule (the
//! reviewed scatter query), then one delete per user of that batch, the
//! rule repeated so a row that stopped matching stays.

use sea_orm::sea_query::{Condition, Expr, ExprTrait as _};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::error::InternalError;

/// Rows read per scan statement (and so at most deleted per user per
/// statement): DESIGN.md §5, rule 7.
pub const BATCH: u64 = 500;

/// Deletes every row of `E` matching `rule`; returns how many went.
/// `user_id` and `id` are `E`'s primary key, in that order.
pub(super) async fn delete_matching<E>(
    db: &impl ConnectionTrait,
    user_id: E::Column,
    id: E::Column,
    rule: Condition,
) -> Result<u64, InternalError>
where
    E: EntityTrait,
{
    let mut after = (i64::MIN, i64::MIN);
    let mut deleted = 0;
    loop {
        // Reviewed scatter query: keyset over (user_id, id) with a LIMIT
        // (routing check allowlist).
        let batch: Vec<(i64, i64)> = E::find()
            .select_only()
            .column(user_id)
            .column(id)
            .filter(
                Expr::tuple([
                    Expr::col((E::default(), user_id)),
                    Expr::col((E::default(), id)),
                ])
                .gt(Expr::tuple([Expr::val(after.0), Expr::val(after.1)])),
            )
            .filter(rule.clone())
            .order_by_asc(user_id)
            .order_by_asc(id)
            .limit(BATCH)
            .into_tuple()
            .all(db)
            .await?;
        let Some(&last) = batch.last() else {
            break;
        };
        after = last;
        for (user, ids) in by_user(&batch) {
            deleted += E::delete_many()
                .filter(user_id.eq(user))
                .filter(id.is_in(ids))
                .filter(rule.clone())
                .exec(db)
                .await?
                .rows_affected;
        }
        if (batch.len() as u64) < BATCH {
            break;
        }
    }
    Ok(deleted)
}

/// `(user_id, id)` pairs in key order, grouped by user.
fn by_user(rows: &[(i64, i64)]) -> Vec<(i64, Vec<i64>)> {
    let mut groups: Vec<(i64, Vec<i64>)> = Vec::new();
    for &(user, id) in rows {
        match groups.last_mut() {
            Some((last, ids)) if *last == user => ids.push(id),
            _ => groups.push((user, vec![id])),
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_grouped_by_user_in_key_order() {
        assert_eq!(
            by_user(&[(1, 10), (1, 11), (2, 5), (3, 1), (3, 2)]),
            vec![(1, vec![10, 11]), (2, vec![5]), (3, vec![1, 2])]
        );
        assert!(by_user(&[]).is_empty());
    }
}
