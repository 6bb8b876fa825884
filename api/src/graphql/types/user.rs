use async_graphql::{ID, Object};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::graphql::ids::{self, Kind};
use moneta_core::money::Money;

pub struct User(pub moneta_core::users::User);

#[Object]
impl User {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::User, self.0.id.get())
    }

    async fn email(&self) -> &str {
        &self.0.email
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// What the user said they earn a month; null until they say.
    async fn monthly_income(&self) -> Option<Decimal> {
        self.0.monthly_income.map(Money::to_decimal)
    }

    /// The ISO 4217 currency spending and budgets count (USD until you
    /// choose, `setHomeCurrency`); other currencies' accounts are listed
    /// apart (`Budget.leftOut`), never converted.
    async fn home_currency(&self) -> String {
        self.0.home_currency.to_string()
    }
}
