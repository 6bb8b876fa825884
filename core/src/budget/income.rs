//! What the budget template is computed from.

use moneta_entities::{monthly_spending, users};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::UserId;
use crate::categories::Category;
use crate::error::InternalError;
use crate::money::Money;
use crate::month::Month;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum IncomeSource {
    User,
    Estimated,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Income {
    #[serde(rename = "monthly_cents")]
    pub monthly: Option<Money>,
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
            monthly: Some(Money::from_cents(cents)),
            source: IncomeSource::User,
        });
    }
    let previous: Vec<i32> = (1..=3).map(|n| month.minus(n).as_int()).collect();
    let received: Money = monthly_spending::Entity::find()
        .filter(monthly_spending::Column::UserId.eq(user.get()))
        .filter(monthly_spending::Column::Month.is_in(previous))
        .filter(monthly_spending::Column::Category.eq(Category::Income.as_str()))
        .all(db)
        .await?
        .iter()
        .map(|r| -Money::from_cents(r.amount_cents))
        .sum();
    Ok(if received > Money::ZERO {
        Income {
            monthly: Some(received.scaled(1, 3)),
            source: IncomeSource::Estimated,
        }
    } else {
        Income {
            monthly: None,
            source: IncomeSource::None,
        }
    })
}
