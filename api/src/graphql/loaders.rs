//! DataLoaders: what a page of objects needs from elsewhere, in one query
//! instead of one per object (no N+1).

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use moneta_core::accounts::{Account, Accounts};
use moneta_core::{InternalError, UserId};

/// Accounts by (user, account id): one `user_id = ? AND id IN (…)` query
/// per user in the batch — a page of transactions is one user, so one query.
#[derive(Debug, Clone)]
pub struct AccountLoader {
    pub accounts: Accounts,
}

impl Loader<(UserId, i64)> for AccountLoader {
    type Value = Account;
    type Error = std::sync::Arc<InternalError>;

    async fn load(
        &self,
        keys: &[(UserId, i64)],
    ) -> Result<HashMap<(UserId, i64), Account>, Self::Error> {
        let mut by_user: HashMap<UserId, Vec<i64>> = HashMap::new();
        for (user, id) in keys {
            by_user.entry(*user).or_default().push(*id);
        }
        let mut found = HashMap::new();
        for (user, ids) in by_user {
            let accounts = self
                .accounts
                .find_many(user, ids)
                .await
                .map_err(std::sync::Arc::new)?;
            for account in accounts {
                found.insert((user, account.id), account);
            }
        }
        Ok(found)
    }
}
