//! Local fan-out: one broadcast channel per user with live subscribers.

use std::collections::HashMap;
use std::sync::Mutex;

use futures_util::StreamExt as _;
use moneta_core::UserId;
use moneta_core::ports::{EventStream, UserEvent};
use tokio::sync::broadcast;
use tokio_stream::wrappers::BroadcastStream;

/// Events a slow subscriber may fall behind by before it skips ahead.
const CAPACITY: usize = 64;

#[derive(Debug, Default)]
pub(super) struct Hub {
    users: Mutex<HashMap<UserId, broadcast::Sender<UserEvent>>>,
}

impl Hub {
    pub(super) fn subscribe(&self, user: UserId) -> EventStream {
        let mut users = self.users.lock().unwrap_or_else(|e| e.into_inner());
        users.retain(|_, tx| tx.receiver_count() > 0);
        let rx = users
            .entry(user)
            .or_insert_with(|| broadcast::channel(CAPACITY).0)
            .subscribe();
        BroadcastStream::new(rx)
            .filter_map(|item| async move { item.ok() })
            .boxed()
    }

    pub(super) fn deliver(&self, user: UserId, event: UserEvent) {
        let mut users = self.users.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tx) = users.get(&user)
            && tx.send(event).is_err()
        {
            users.remove(&user);
        }
    }
}
