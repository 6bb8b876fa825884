//! The event bus: per-user events fanned out to every API replica, where
//! live subscriptions pick them up. Delivery is best effort — anything a
//! user must not miss is stored first (a notification) and only then
//! published.

use async_trait::async_trait;
use futures_util::stream::BoxStream;
use serde::{Deserialize, Serialize};

use crate::UserId;
use crate::categories::Category;
use crate::error::InternalError;
use crate::money::Money;
use crate::month::Month;

/// Something that happened to one user's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum UserEvent {
    /// An extraction of one of the user's accounts finished.
    AccountSynced {
        account_id: i64,
        added: u32,
        modified: u32,
        removed: u32,
    },
    /// A budget alert fired (and is stored as notification `notification_id`).
    /// The figures are the budget line's when it fired.
    BudgetAlert {
        notification_id: i64,
        #[serde(with = "as_stored::category")]
        category: Category,
        #[serde(with = "crate::month::as_int")]
        month: Month,
        #[serde(rename = "budgeted_cents")]
        budgeted: Money,
        #[serde(rename = "spent_cents")]
        spent: Money,
    },
    /// A session ended (logout, a revoked refresh family) — or, with no
    /// session, all of them (the user is being removed). Live connections
    /// of that session close.
    SessionEnded { session: Option<i64> },
}

pub type EventStream = BoxStream<'static, UserEvent>;

#[async_trait]
pub trait EventBus: Send + Sync + std::fmt::Debug {
    /// Publishes to every subscriber of `user`, on every replica.
    async fn publish(&self, user: UserId, event: UserEvent) -> Result<(), InternalError>;

    /// The user's events published from now on. The stream ends only when
    /// dropped; a slow consumer may miss events rather than stall others.
    async fn subscribe(&self, user: UserId) -> Result<EventStream, InternalError>;
}

/// The category as stored (`FOOD`), the wire format replicas of
/// different versions share (with the month as `202612`).
mod as_stored {
    pub mod category {
        use serde::{Deserialize as _, Deserializer, Serializer, de::Error as _};

        use crate::categories::Category;

        pub fn serialize<S: Serializer>(category: &Category, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(category.as_str())
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Category, D::Error> {
            String::deserialize(d)?.parse().map_err(D::Error::custom)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_alert_keeps_its_wire_format() {
        let event = UserEvent::BudgetAlert {
            notification_id: 7,
            category: Category::PersonalCare,
            month: Month::new(2026, 12).unwrap(),
            budgeted: Money::from_cents(10_000),
            spent: Money::from_cents(8_500),
        };
        let wire = r#"{"type":"budget_alert","notification_id":7,"category":"PERSONAL_CARE","month":202612,"budgeted_cents":10000,"spent_cents":8500}"#;
        assert_eq!(serde_json::to_string(&event).unwrap(), wire);
        assert_eq!(serde_json::from_str::<UserEvent>(wire).unwrap(), event);
    }
}
