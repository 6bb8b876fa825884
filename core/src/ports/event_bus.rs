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
        category: Category,
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
