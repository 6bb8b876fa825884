//! The event bus under a burst: on Redis when `MONETA_TEST_REDIS_URL` is
//! set (a publishing replica and a listening one under a prefix of their
//! own), in-process otherwise.
//!
//! A burst of alerts (200 users' writes landing together, each alert for
//! every socket of its user) reaches a replica whose runtime is busy: the
//! replica must deliver every event once it gets to them, not skip the
//! ones that arrived while it was busy (a 32-message backlog did, in
//! loadtest/SUBSCRIBERS.md's MariaDB + Redis run).

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use moneta_core::UserId;
use moneta_core::ports::{EventBus, UserEvent};
use moneta_platform::event_bus::{InProcessEventBus, RedisEventBus};
use moneta_platform::redis::Redis;
use secrecy::SecretString;

const USERS: i64 = 500;

fn redis_url() -> Option<String> {
    std::env::var("MONETA_TEST_REDIS_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

async fn redis_bus(url: &str, prefix: &str) -> RedisEventBus {
    let redis = Redis::connect(&SecretString::from(url.to_owned()), prefix)
        .await
        .expect("connect to MONETA_TEST_REDIS_URL");
    RedisEventBus::start(redis).await.expect("start the bus")
}

fn event(n: i64) -> UserEvent {
    UserEvent::AccountSynced {
        account_id: n,
        added: 1,
        modified: 0,
        removed: 0,
    }
}

#[tokio::test]
async fn a_burst_published_while_the_listener_is_busy_reaches_every_subscriber() {
    let prefix = format!("moneta-test-{}", uuid::Uuid::new_v4().simple());
    let url = redis_url();
    let listener: Arc<dyn EventBus> = match &url {
        Some(url) => Arc::new(redis_bus(url, &prefix).await),
        None => Arc::new(InProcessEventBus::default()),
    };
    let mut streams = Vec::new();
    for user in 1..=USERS {
        streams.push(listener.subscribe(UserId::new(user)).await.unwrap());
    }

    // Another replica publishes one event to each user while this one's
    // runtime (a test's: one thread) is blocked, so everything it is sent
    // waits in its socket and arrives at once.
    let publisher = {
        let listener = listener.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let bus: Arc<dyn EventBus> = match &url {
                    Some(url) => Arc::new(redis_bus(url, &prefix).await),
                    None => listener,
                };
                for user in 1..=USERS {
                    bus.publish(UserId::new(user), event(user)).await.unwrap();
                }
            });
        })
    };
    publisher.join().unwrap();
    std::thread::sleep(Duration::from_millis(300));

    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut missing = Vec::new();
    for (n, stream) in streams.iter_mut().enumerate() {
        let user = n as i64 + 1;
        match tokio::time::timeout_at(deadline, stream.next()).await {
            Ok(Some(got)) => assert_eq!(got, event(user), "user {user}"),
            _ => missing.push(user),
        }
    }
    assert!(
        missing.is_empty(),
        "{} of {USERS} events never arrived (users {:?}…)",
        missing.len(),
        &missing[..missing.len().min(10)]
    );
}
