use std::sync::Arc;

use async_trait::async_trait;
use fred::interfaces::{EventInterface as _, PubsubInterface as _};
use moneta_core::UserId;
use moneta_core::error::InternalError;
use moneta_core::ports::{EventBus, EventStream, UserEvent};
use serde::{Deserialize, Serialize};

use super::hub::Hub;
use crate::redis::Redis;

#[derive(Serialize, Deserialize)]
struct Envelope {
    user_id: i64,
    event: UserEvent,
}

/// Fans events out to every replica through one Redis pub/sub channel,
/// `<prefix>:events`; each replica's hub hands them to its local
/// subscribers of that user.
///
/// One channel keeps subscription management trivial and costs each
/// replica every event's few bytes; events are per sync or per alert, not
/// per transaction. When that stops being cheap, split the channel into
/// N sharded channels by user-id hash (`SSUBSCRIBE` on Redis Cluster).
#[derive(Debug)]
pub struct RedisEventBus {
    redis: Redis,
    channel: String,
    hub: Arc<Hub>,
}

impl RedisEventBus {
    pub async fn start(redis: Redis) -> Result<Self, fred::error::Error> {
        let channel = redis.key("events");
        let hub = Arc::new(Hub::default());
        let mut messages = redis.subscriber.message_rx();
        let listening = channel.clone();
        let router = hub.clone();
        tokio::spawn(async move {
            loop {
                match messages.recv().await {
                    Ok(message) if &*message.channel == listening.as_str() => {
                        let Some(text) = message.value.as_str() else {
                            continue;
                        };
                        match serde_json::from_str::<Envelope>(&text) {
                            Ok(env) => router.deliver(UserId::new(env.user_id), env.event),
                            Err(error) => tracing::warn!(%error, "undecodable event dropped"),
                        }
                    }
                    Ok(_) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(skipped)) => {
                        tracing::warn!(skipped, "event listener lagged");
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                }
            }
        });
        redis.subscriber.subscribe(channel.as_str()).await?;
        Ok(Self {
            redis,
            channel,
            hub,
        })
    }
}

#[async_trait]
impl EventBus for RedisEventBus {
    async fn publish(&self, user: UserId, event: UserEvent) -> Result<(), InternalError> {
        let payload = serde_json::to_string(&Envelope {
            user_id: user.get(),
            event,
        })
        .map_err(|e| InternalError::EventBus(e.to_string()))?;
        // Events are best effort (what they announce is stored): while
        // Redis is away a publish fails at once rather than hold up the
        // write that announces itself.
        self.redis
            .fail_fast()
            .publish::<i64, _, _>(self.channel.as_str(), payload)
            .await
            .map_err(|e| InternalError::EventBus(e.to_string()))?;
        Ok(())
    }

    async fn subscribe(&self, user: UserId) -> Result<EventStream, InternalError> {
        Ok(self.hub.subscribe(user))
    }
}
