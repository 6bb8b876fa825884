use async_graphql::{Context, Enum, ID, Object, Result};
use chrono::{DateTime, Utc};
use moneta_core::accounts;

use super::TransactionConnection;
use crate::graphql::ids::{self, Kind};
use crate::graphql::query::transactions::list;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "accounts::AccountStatus")]
pub enum AccountStatus {
    Syncing,
    Active,
    LoginRequired,
    Error,
}

pub struct Account(pub accounts::Account);

#[Object]
impl Account {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Account, self.0.id)
    }

    async fn institution(&self) -> &str {
        &self.0.institution
    }

    async fn login(&self) -> &str {
        &self.0.login
    }

    async fn display_name(&self) -> &str {
        &self.0.display_name
    }

    async fn status(&self) -> AccountStatus {
        self.0.status.into()
    }

    async fn last_synced_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_synced_at
    }

    /// The ISO 4217 code of this account's amounts (`USD`, `EUR`): from
    /// the bank's file for an imported account. Amounts are never
    /// converted.
    async fn currency(&self) -> String {
        self.0.currency.to_string()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// This account's transactions, newest first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn transactions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<TransactionConnection> {
        let filter = moneta_core::transactions::TransactionFilter {
            account_id: Some(self.0.id),
            ..Default::default()
        };
        list(ctx, self.0.user_id, filter, first, after).await
    }
}
