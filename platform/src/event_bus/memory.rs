use async_trait::async_trait;
use moneta_core::UserId;
use moneta_core::error::InternalError;
use moneta_core::ports::{EventBus, EventStream, UserEvent};

use super::hub::Hub;

/// The embedded default's bus: one process, so the hub is the bus.
#[derive(Debug, Default)]
pub struct InProcessEventBus {
    hub: Hub,
}

#[async_trait]
impl EventBus for InProcessEventBus {
    async fn publish(&self, user: UserId, event: UserEvent) -> Result<(), InternalError> {
        self.hub.deliver(user, event);
        Ok(())
    }

    async fn subscribe(&self, user: UserId) -> Result<EventStream, InternalError> {
        Ok(self.hub.subscribe(user))
    }
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt as _;

    use super::*;

    #[tokio::test]
    async fn delivers_only_to_the_users_own_subscribers() {
        let bus = InProcessEventBus::default();
        let mut mine = bus.subscribe(UserId::new(1)).await.unwrap();
        let mut theirs = bus.subscribe(UserId::new(2)).await.unwrap();
        let event = UserEvent::AccountSynced {
            account_id: 9,
            added: 1,
            modified: 0,
            removed: 0,
        };
        bus.publish(UserId::new(1), event.clone()).await.unwrap();
        assert_eq!(mine.next().await, Some(event));
        let nothing =
            tokio::time::timeout(std::time::Duration::from_millis(50), theirs.next()).await;
        assert!(nothing.is_err());
    }
}
