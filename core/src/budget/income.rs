//! What the budget template is computed from.

use moneta_entities::{monthly_spending, users};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::UserId;
use crate::categories::Category;
use crate::error::InternalError;
use crate::month::Month;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum IncomeSource {
    User,
    Estimated,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Income {
    pub monthly_cents: Option<i64>,
    pub source: IncomeSource,
}

/// The income for `month`: what the user set; else the average of the
/// INCOME received in the three full months before it; else none.
pub async fn estimate_income(
    db: &impl ConnectionTrait,
    user: UserId,
    month: Month,
) -> Result<Income, InternalError> {
    let set = users::Entity::find_by_id(user.get())
        .one(db)
        .await?
        .and_then(|u| u.monthly_income_cents);
    if let Some(cents) = set {
        return Ok(Income {
            monthly_cents: Some(cents),
            source: IncomeSource::User,
        });
    }
    let previous: Vec<i32> = (1..=3).map(|n| month.minus(n).as_int()).collect();
    let received: i64 = monthly_spending::Entity::find()
        .filter(monthly_spending::Column::UserId.eq(user.get()))
        .filter(monthly_spending::Column::Month.is_in(previous))
        .filter(monthly_spending::Column::Category.eq(Category::Income.as_str()))
        .all(db)
        .await?
        .iter()
        .map(|r| -r.amount_cents)
        .sum();
    Ok(if received > 0 {
        Income {
            monthly_cents: Some(received / 3),
            source: IncomeSource::Estimated,
        }
    } else {
        Income {
            monthly_cents: None,
            source: IncomeSource::None,
        }
    })
}
