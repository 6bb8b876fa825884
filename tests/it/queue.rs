//! The job queue and lease adapters, through `core`'s ports: on Redis when
//! `MONETA_TEST_REDIS_URL` is set (each test under its own key prefix),
//! in-process otherwise. Every test runs on whichever backend is configured.

use std::sync::Arc;
use std::time::{Duration, Instant};

use moneta_core::ports::{JobQueue, LeaseToken, Leases, SyncJob, SyncReason};
use moneta_platform::lease::{InProcessLeases, RedisLeases};
use moneta_platform::queue::{InProcessJobQueue, RedisJobQueue};
use moneta_platform::redis::Redis;
use secrecy::SecretString;

/// Long enough that no healthy test consumer ever hits it.
const RECLAIM_NEVER: Duration = Duration::from_secs(60);
const RECLAIM_SHORT: Duration = Duration::from_millis(300);
const WAIT: Duration = Duration::from_millis(300);

fn redis_url() -> Option<String> {
    std::env::var("MONETA_TEST_REDIS_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// A Redis connection under a prefix no other test uses.
async fn redis(url: &str) -> Redis {
    let prefix = format!("moneta-test-{}", uuid::Uuid::new_v4().simple());
    Redis::connect(&SecretString::from(url.to_owned()), &prefix)
        .await
        .expect("connect to MONETA_TEST_REDIS_URL")
}

/// A fresh, empty queue on the configured backend.
async fn queue(reclaim_after: Duration) -> Arc<dyn JobQueue> {
    match redis_url() {
        Some(url) => Arc::new(
            RedisJobQueue::start(redis(&url).await, reclaim_after)
                .await
                .expect("start the Redis queue"),
        ),
        None => Arc::new(InProcessJobQueue::new(reclaim_after)),
    }
}

/// Fresh leases on the configured backend.
async fn leases() -> Arc<dyn Leases> {
    match redis_url() {
        Some(url) => Arc::new(RedisLeases::new(redis(&url).await)),
        None => Arc::new(InProcessLeases::new()),
    }
}

fn job(account_id: i64) -> SyncJob {
    SyncJob {
        user_id: 7,
        account_id,
        reason: SyncReason::Refresh,
    }
}

#[tokio::test]
async fn a_job_is_delivered_once_and_gone_after_ack() {
    let q = queue(RECLAIM_NEVER).await;
    q.enqueue(&job(1)).await.unwrap();

    let delivery = q.next("w1", WAIT).await.unwrap().expect("the job");
    assert_eq!(delivery.job, job(1));
    assert_eq!(delivery.deliveries, 1);
    q.ack(&delivery).await.unwrap();

    assert_eq!(q.next("w1", WAIT).await.unwrap(), None);
    assert_eq!(q.next("w2", WAIT).await.unwrap(), None);
    assert_eq!(q.depth().await.unwrap(), 0);
}

#[tokio::test]
async fn jobs_come_out_in_the_order_they_went_in() {
    let q = queue(RECLAIM_NEVER).await;
    for account in 1..=5 {
        q.enqueue(&job(account)).await.unwrap();
    }
    let mut seen = Vec::new();
    let mut ids = Vec::new();
    while let Some(delivery) = q.next("w1", WAIT).await.unwrap() {
        seen.push(delivery.job.account_id);
        ids.push(delivery.id.clone());
        q.ack(&delivery).await.unwrap();
    }
    assert_eq!(seen, [1, 2, 3, 4, 5]);
    let distinct: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(distinct.len(), 5, "every delivery has its own id");
}

#[tokio::test]
async fn a_waiting_consumer_gets_a_job_enqueued_while_it_waits() {
    let q = queue(RECLAIM_NEVER).await;
    let waiting = {
        let q = q.clone();
        tokio::spawn(async move { q.next("w1", Duration::from_secs(3)).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let enqueued = Instant::now();
    q.enqueue(&job(1)).await.unwrap();
    let delivery = waiting.await.unwrap().unwrap().expect("the job");
    assert_eq!(delivery.job, job(1));
    assert!(
        enqueued.elapsed() < Duration::from_millis(1500),
        "woken by the enqueue, not by the end of the wait: {:?}",
        enqueued.elapsed()
    );
}

#[tokio::test]
async fn a_job_whose_consumer_died_is_reclaimed_by_another() {
    let q = queue(RECLAIM_SHORT).await;
    q.enqueue(&job(1)).await.unwrap();

    // Consumer "dead" takes the job and dies: it never acknowledges.
    let taken = Instant::now();
    let first = q.next("dead", WAIT).await.unwrap().expect("the job");
    assert_eq!(first.deliveries, 1);

    // Not before the reclaim timeout …
    assert_eq!(
        q.next("alive", Duration::from_millis(50)).await.unwrap(),
        None
    );
    assert_eq!(q.depth().await.unwrap(), 1, "still in flight");

    // … but after it, to another consumer that is already waiting.
    let again = q
        .next("alive", Duration::from_secs(5))
        .await
        .unwrap()
        .expect("reclaimed");
    assert!(taken.elapsed() >= RECLAIM_SHORT);
    assert_eq!(again.id, first.id);
    assert_eq!(again.job, job(1));
    assert_eq!(again.deliveries, 2);

    q.ack(&again).await.unwrap();
    // Acknowledged: never delivered again, even well past the timeout.
    assert_eq!(q.next("alive", RECLAIM_SHORT * 3).await.unwrap(), None);
    assert_eq!(q.next("other", WAIT).await.unwrap(), None);
    assert_eq!(q.depth().await.unwrap(), 0);
}

#[tokio::test]
async fn a_late_ack_by_the_dead_consumer_is_harmless() {
    let q = queue(RECLAIM_SHORT).await;
    q.enqueue(&job(1)).await.unwrap();
    let first = q.next("slow", WAIT).await.unwrap().expect("the job");
    let again = q
        .next("fast", Duration::from_secs(5))
        .await
        .unwrap()
        .expect("reclaimed");
    q.ack(&again).await.unwrap();
    q.ack(&first).await.unwrap();
    q.ack(&first).await.unwrap();
    assert_eq!(q.next("fast", WAIT).await.unwrap(), None);
    assert_eq!(q.depth().await.unwrap(), 0);
}

#[tokio::test]
async fn next_on_an_empty_queue_gives_up_after_about_wait() {
    let q = queue(RECLAIM_NEVER).await;
    let started = Instant::now();
    assert_eq!(q.next("w1", WAIT).await.unwrap(), None);
    let waited = started.elapsed();
    assert!(waited >= WAIT - Duration::from_millis(20), "{waited:?}");
    assert!(waited < WAIT + Duration::from_millis(700), "{waited:?}");

    let started = Instant::now();
    assert_eq!(q.next("w1", Duration::ZERO).await.unwrap(), None);
    assert!(started.elapsed() < Duration::from_millis(500));
}

#[tokio::test]
async fn depth_counts_waiting_and_in_flight_jobs() {
    let q = queue(RECLAIM_NEVER).await;
    assert_eq!(q.depth().await.unwrap(), 0);
    for account in 1..=3 {
        q.enqueue(&job(account)).await.unwrap();
    }
    assert_eq!(q.depth().await.unwrap(), 3);

    let delivery = q.next("w1", WAIT).await.unwrap().expect("a job");
    assert_eq!(q.depth().await.unwrap(), 3, "2 waiting + 1 in flight");
    q.ack(&delivery).await.unwrap();
    assert_eq!(q.depth().await.unwrap(), 2);
}

#[tokio::test]
async fn queues_under_different_prefixes_never_see_each_others_jobs() {
    let mine = queue(RECLAIM_NEVER).await;
    let theirs = queue(RECLAIM_NEVER).await;
    mine.enqueue(&job(1)).await.unwrap();
    theirs.enqueue(&job(2)).await.unwrap();

    let delivery = mine.next("w1", WAIT).await.unwrap().expect("my job");
    assert_eq!(delivery.job, job(1));
    mine.ack(&delivery).await.unwrap();
    assert_eq!(mine.next("w1", WAIT).await.unwrap(), None);

    assert_eq!(theirs.depth().await.unwrap(), 1);
    let delivery = theirs.next("w1", WAIT).await.unwrap().expect("their job");
    assert_eq!(delivery.job, job(2));
}

#[tokio::test]
async fn a_lease_has_one_holder_until_released() {
    let leases = leases().await;
    let ttl = Duration::from_secs(30);
    let token = leases
        .acquire("account:1", ttl)
        .await
        .unwrap()
        .expect("free");
    assert_eq!(leases.acquire("account:1", ttl).await.unwrap(), None);
    // Other keys are independent.
    let other = leases.acquire("account:2", ttl).await.unwrap();
    assert!(other.is_some());

    leases.release("account:1", &token).await.unwrap();
    let again = leases
        .acquire("account:1", ttl)
        .await
        .unwrap()
        .expect("released");
    assert_ne!(again, token, "every acquisition gets a fresh token");
}

#[tokio::test]
async fn a_lease_expires_after_its_ttl() {
    let leases = leases().await;
    let ttl = Duration::from_millis(200);
    let first = leases
        .acquire("account:1", ttl)
        .await
        .unwrap()
        .expect("free");
    assert_eq!(leases.acquire("account:1", ttl).await.unwrap(), None);

    tokio::time::sleep(ttl + Duration::from_millis(100)).await;
    let second = leases
        .acquire("account:1", Duration::from_secs(30))
        .await
        .unwrap()
        .expect("expired");

    // The first holder, back too late, cannot release the new holder.
    leases.release("account:1", &first).await.unwrap();
    assert_eq!(
        leases
            .acquire("account:1", Duration::from_secs(30))
            .await
            .unwrap(),
        None
    );
    leases.release("account:1", &second).await.unwrap();
}

#[tokio::test]
async fn releasing_with_a_wrong_token_does_not_release() {
    let leases = leases().await;
    let ttl = Duration::from_secs(30);
    let _token = leases
        .acquire("account:1", ttl)
        .await
        .unwrap()
        .expect("free");
    leases
        .release("account:1", &LeaseToken("not-the-token".to_owned()))
        .await
        .unwrap();
    assert_eq!(leases.acquire("account:1", ttl).await.unwrap(), None);
    // Releasing a lease nobody holds is fine too.
    leases
        .release("account:9", &LeaseToken("whatever".to_owned()))
        .await
        .unwrap();
}
