//! The event bus: per-user events fanned out to every API replica, where
//! live subscriptions pick them up. Delivery is best effort — anything a
//! user must not miss is stored first (a notification) and only then
//! published.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures_util::stream::BoxStream;
use serde::{Deserialize, Serialize};

use crate::UserId;
use crate::categories::Category;
use crate::error::InternalError;
use crate::money::Money;
use crate::month::Month;
use crate::notifications::{Notification, NotificationKind};

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
        /// The stored notification's kind, text and time, so that a
        /// subscriber answers without reading it back (one alert reaches
        /// every socket of the user, on every replica). Absent from the
        /// events of replicas older than this field: read it back then.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        notice: Option<AlertNotice>,
    },
    /// A session ended (logout, a revoked refresh family) — or, with no
    /// session, all of them (the user is being removed). Live connections
    /// of that session close.
    SessionEnded { session: Option<i64> },
}

/// What a budget alert's notification holds besides its id, category and
/// month (which the event carries already).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertNotice {
    #[serde(with = "as_stored::kind")]
    pub kind: NotificationKind,
    pub message: String,
    /// As stored: to the microsecond.
    pub created_at: DateTime<Utc>,
}

impl AlertNotice {
    /// The notification as stored, with what the event carries beside
    /// the notice (unread: it was stored just before it was published).
    pub fn into_notification(
        self,
        user: UserId,
        id: i64,
        category: Category,
        month: Month,
    ) -> Notification {
        Notification {
            id,
            user_id: user,
            kind: self.kind,
            message: self.message,
            category: Some(category),
            month: Some(month),
            read: false,
            created_at: self.created_at,
        }
    }
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

    pub mod kind {
        use serde::{Deserialize as _, Deserializer, Serializer, de::Error as _};

        use crate::notifications::NotificationKind;

        pub fn serialize<S: Serializer>(kind: &NotificationKind, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(kind.as_str())
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NotificationKind, D::Error> {
            NotificationKind::parse(&String::deserialize(d)?).map_err(D::Error::custom)
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
            notice: None,
        };
        let wire = r#"{"type":"budget_alert","notification_id":7,"category":"PERSONAL_CARE","month":202612,"budgeted_cents":10000,"spent_cents":8500}"#;
        assert_eq!(serde_json::to_string(&event).unwrap(), wire);
        assert_eq!(serde_json::from_str::<UserEvent>(wire).unwrap(), event);
    }

    #[test]
    fn a_budget_alert_carries_its_notification() {
        let created_at = "2026-12-02T07:30:00.123456Z".parse().unwrap();
        let event = UserEvent::BudgetAlert {
            notification_id: 7,
            category: Category::Food,
            month: Month::new(2026, 12).unwrap(),
            budgeted: Money::from_cents(10_000),
            spent: Money::from_cents(12_000),
            notice: Some(AlertNotice {
                kind: NotificationKind::BudgetExceeded,
                message: "over".to_owned(),
                created_at,
            }),
        };
        let wire = r#"{"type":"budget_alert","notification_id":7,"category":"FOOD","month":202612,"budgeted_cents":10000,"spent_cents":12000,"notice":{"kind":"BUDGET_EXCEEDED","message":"over","created_at":"2026-12-02T07:30:00.123456Z"}}"#;
        assert_eq!(serde_json::to_string(&event).unwrap(), wire);
        assert_eq!(serde_json::from_str::<UserEvent>(wire).unwrap(), event);
        let UserEvent::BudgetAlert {
            notice: Some(notice),
            ..
        } = event
        else {
            panic!("no notice");
        };
        let note = notice.into_notification(
            UserId::new(3),
            7,
            Category::Food,
            Month::new(2026, 12).unwrap(),
        );
        assert_eq!(
            (note.id, note.user_id, note.kind, note.message.as_str()),
            (7, UserId::new(3), NotificationKind::BudgetExceeded, "over")
        );
        assert_eq!(
            (note.category, note.read, note.created_at),
            (Some(Category::Food), false, created_at)
        );
    }
}
