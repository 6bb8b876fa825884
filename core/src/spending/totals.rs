//! Reading a month's stored spending.

use std::collections::BTreeMap;

use moneta_entities::monthly_spending;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::UserId;
use crate::categories::Category;
use crate::error::InternalError;
use crate::money::Money;
use crate::month::Month;

/// The user's spending for a month, by category (every category with a
/// total other than zero; callers pick the ones they show).
pub async fn for_month(
    db: &impl ConnectionTrait,
    user: UserId,
    month: Month,
) -> Result<BTreeMap<Category, Money>, InternalError> {
    let rows = monthly_spending::Entity::find()
        .filter(monthly_spending::Column::UserId.eq(user.get()))
        .filter(monthly_spending::Column::Month.eq(month.as_int()))
        .filter(monthly_spending::Column::AmountCents.ne(0))
        .all(db)
        .await?;
    rows.into_iter()
        .map(|r| {
            let category = r.category.parse::<Category>()?;
            Ok((category, Money::from_cents(r.amount_cents)))
        })
        .collect()
}
