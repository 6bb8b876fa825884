//! The Redis connection: a command pool and a pub/sub client, both under
//! one key prefix.

use std::time::Duration;

use fred::clients::SubscriberClient;
use fred::prelude::{Builder, ClientLike as _, Config, Pool, ReconnectPolicy};
use fred::types::config::TracingConfig;
use secrecy::{ExposeSecret as _, SecretString};

const POOL_SIZE: usize = 4;

/// Connected Redis clients. Every key, stream and channel goes through
/// [`Redis::key`] so deployments and tests sharing a server stay apart.
#[derive(Clone)]
pub struct Redis {
    pub pool: Pool,
    pub subscriber: SubscriberClient,
    prefix: String,
}

impl std::fmt::Debug for Redis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redis")
            .field("prefix", &self.prefix)
            .finish()
    }
}

impl Redis {
    /// Connects and waits for the first connection. Afterwards the clients
    /// reconnect on their own, forever, with backoff.
    pub async fn connect(url: &SecretString, prefix: &str) -> Result<Self, fred::error::Error> {
        let mut config = Config::from_url(url.expose_secret())?;
        // A span per command (name and sizes, never arguments).
        config.tracing = TracingConfig::new(true);
        let mut builder = Builder::from_config(config);
        builder
            .with_connection_config(|c| {
                c.connection_timeout = Duration::from_secs(3);
                c.internal_command_timeout = Duration::from_secs(3);
                c.max_command_attempts = 2;
            })
            .with_performance_config(|p| {
                p.default_command_timeout = Duration::from_secs(2);
            })
            .set_policy(ReconnectPolicy::new_exponential(0, 100, 5_000, 2));
        let pool = builder.build_pool(POOL_SIZE)?;
        let subscriber = builder.build_subscriber_client()?;
        pool.init().await?;
        subscriber.init().await?;
        // Re-subscribe to our channels after every reconnect. The task runs
        // for the client's life; dropping its handle detaches it.
        drop(subscriber.manage_subscriptions());
        tracing::info!(prefix, "redis connected");
        Ok(Self {
            pool,
            subscriber,
            prefix: prefix.to_owned(),
        })
    }

    /// `<prefix>:<name>`.
    pub fn key(&self, name: &str) -> String {
        format!("{}:{name}", self.prefix)
    }
}
