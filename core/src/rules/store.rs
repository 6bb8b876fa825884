//! A user's rules as stored (`category_rules`).

use chrono::{DateTime, Utc};
use moneta_entities::category_rules;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::model::{decode_conditions, encode_conditions};
use super::{Actions, Rule, RuleError, RuleSpec};
use crate::error::InternalError;
use crate::{IdGenerator, UserId};

/// Most rules one user may keep.
pub const MAX_RULES: usize = 200;

impl TryFrom<category_rules::Model> for Rule {
    type Error = InternalError;

    fn try_from(m: category_rules::Model) -> Result<Self, Self::Error> {
        Ok(Self {
            id: m.id,
            position: m.position,
            spec: RuleSpec {
                name: m.name,
                enabled: m.enabled,
                match_all: m.match_all,
                conditions: decode_conditions(&m.conditions)?,
                actions: Actions {
                    category: m.set_category.map(|c| c.parse()).transpose()?,
                    display_name: m.set_display_name,
                    mark_transfer: m.mark_transfer,
                },
            },
        })
    }
}

/// Every rule of `user`, in order.
pub async fn all(db: &impl ConnectionTrait, user: UserId) -> Result<Vec<Rule>, InternalError> {
    category_rules::Entity::find()
        .filter(category_rules::Column::UserId.eq(user.get()))
        .order_by_asc(category_rules::Column::Position)
        .order_by_asc(category_rules::Column::Id)
        .limit(MAX_RULES as u64 + 1)
        .all(db)
        .await?
        .into_iter()
        .map(Rule::try_from)
        .collect()
}

/// The user's rule with this id; another user's id finds nothing.
pub async fn find(
    db: &impl ConnectionTrait,
    user: UserId,
    id: i64,
) -> Result<Option<Rule>, InternalError> {
    category_rules::Entity::find_by_id((user.get(), id))
        .one(db)
        .await?
        .map(Rule::try_from)
        .transpose()
}

fn columns(spec: &RuleSpec, now: DateTime<Utc>) -> category_rules::ActiveModel {
    category_rules::ActiveModel {
        name: Set(spec.name.clone()),
        enabled: Set(spec.enabled),
        match_all: Set(spec.match_all),
        conditions: Set(encode_conditions(&spec.conditions)),
        set_category: Set(spec.actions.category.map(|c| c.as_str().to_owned())),
        set_display_name: Set(spec.actions.display_name.clone()),
        mark_transfer: Set(spec.actions.mark_transfer),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// Stores a new rule of `user`, last in order.
pub async fn insert(
    db: &impl ConnectionTrait,
    ids: &IdGenerator,
    user: UserId,
    spec: RuleSpec,
    now: DateTime<Utc>,
) -> Result<Rule, RuleError> {
    let existing = all(db, user).await?;
    if existing.len() >= MAX_RULES {
        return Err(RuleError::invalid(
            "name",
            format!("at most {MAX_RULES} rules"),
        ));
    }
    let position = existing.last().map_or(0, |r| r.position.saturating_add(1));
    let id = ids.next_id();
    let mut row = columns(&spec, now);
    row.user_id = Set(user.get());
    row.id = Set(id);
    row.position = Set(position);
    row.created_at = Set(now);
    category_rules::Entity::insert(row)
        .exec_without_returning(db)
        .await?;
    Ok(Rule { id, position, spec })
}

/// Replaces what the rule says; its position stays.
pub async fn update(
    db: &impl ConnectionTrait,
    user: UserId,
    id: i64,
    spec: RuleSpec,
    now: DateTime<Utc>,
) -> Result<Rule, RuleError> {
    let before = find(db, user, id).await?.ok_or(RuleError::NotFound)?;
    let mut row = columns(&spec, now);
    row.user_id = Set(user.get());
    row.id = Set(id);
    category_rules::Entity::update(row).exec(db).await?;
    Ok(Rule {
        id,
        position: before.position,
        spec,
    })
}

/// Deletes the rule; false if there was none.
pub async fn delete(db: &impl ConnectionTrait, user: UserId, id: i64) -> Result<bool, RuleError> {
    let gone = category_rules::Entity::delete_many()
        .filter(category_rules::Column::UserId.eq(user.get()))
        .filter(category_rules::Column::Id.eq(id))
        .exec(db)
        .await?
        .rows_affected;
    Ok(gone > 0)
}

/// Puts the user's rules in the order of `order`, which must name each
/// of them exactly once.
pub async fn reorder(
    db: &impl ConnectionTrait,
    user: UserId,
    order: &[i64],
    now: DateTime<Utc>,
) -> Result<(), RuleError> {
    let mut existing: Vec<i64> = all(db, user).await?.iter().map(|r| r.id).collect();
    let mut named = order.to_vec();
    existing.sort_unstable();
    named.sort_unstable();
    if existing != named {
        return Err(RuleError::invalid(
            "ruleIds",
            "name each of your rules exactly once",
        ));
    }
    for (position, id) in order.iter().enumerate() {
        category_rules::Entity::update_many()
            .col_expr(
                category_rules::Column::Position,
                Expr::value(i32::try_from(position).unwrap_or(i32::MAX)),
            )
            .col_expr(category_rules::Column::UpdatedAt, Expr::value(now))
            .filter(category_rules::Column::UserId.eq(user.get()))
            .filter(category_rules::Column::Id.eq(*id))
            .exec(db)
            .await?;
    }
    Ok(())
}
