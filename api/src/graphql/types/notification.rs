use async_graphql::{Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use moneta_core::notifications as core;
use rust_decimal::Decimal;

use super::{Category, Month, PageInfo};
use crate::graphql::ids::{self, Kind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "core::NotificationKind")]
pub enum NotificationKind {
    BudgetApproaching,
    BudgetExceeded,
    SyncCompleted,
    SyncFailed,
}

pub struct Notification(pub core::Notification);

#[Object]
impl Notification {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Notification, self.0.id)
    }

    async fn kind(&self) -> NotificationKind {
        self.0.kind.into()
    }

    async fn message(&self) -> &str {
        &self.0.message
    }

    async fn category(&self) -> Option<Category> {
        self.0.category.map(Into::into)
    }

    async fn month(&self) -> Option<Month> {
        self.0.month.map(Month)
    }

    async fn read(&self) -> bool {
        self.0.read
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

#[derive(SimpleObject)]
pub struct NotificationEdge {
    pub cursor: String,
    pub node: Notification,
}

#[derive(SimpleObject)]
pub struct NotificationConnection {
    pub edges: Vec<NotificationEdge>,
    pub page_info: PageInfo,
}

/// A budget alert as it happens.
#[derive(SimpleObject)]
pub struct BudgetAlert {
    pub notification: Notification,
    pub category: Category,
    pub month: Month,
    pub budgeted: Decimal,
    pub spent: Decimal,
}
