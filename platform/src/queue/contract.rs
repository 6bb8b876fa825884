//! What both queues promise about keep-alive, failures and dead letters,
//! written once and run against each (`memory::tests`, `redis::tests`).
//! Every queue given here has a reclaim timeout of [`RECLAIM`].

use std::time::Duration;

use chrono::{TimeZone as _, Utc};
use moneta_core::ports::{JobQueue, SyncJob, SyncReason};

pub const RECLAIM: Duration = Duration::from_millis(300);
/// Long enough for any reclaim to happen.
const PATIENCE: Duration = Duration::from_secs(5);
const BRIEF: Duration = Duration::from_millis(100);

fn job(account_id: i64) -> SyncJob {
    SyncJob {
        user_id: 7,
        account_id,
        reason: SyncReason::Refresh,
    }
}

/// A job kept alive is never reclaimed, however long it runs; once its
/// consumer stops keeping it, it is, and the old consumer's keep-alive
/// then says so without taking it back.
pub async fn keep_alive_holds_a_job_until_its_consumer_stops(q: &dyn JobQueue) {
    assert_eq!(q.reclaim_after(), RECLAIM);
    q.enqueue(&job(1)).await.unwrap();
    let held = q.next("w1", BRIEF).await.unwrap().expect("the job");
    assert_eq!(held.consumer, "w1");
    // Three reclaim timeouts, kept alive every 100 ms.
    for _ in 0..9 {
        assert!(q.keep_alive(&held).await.unwrap(), "still w1's");
        assert_eq!(q.next("w2", BRIEF).await.unwrap(), None, "not reclaimed");
    }
    let reclaimed = q.next("w2", PATIENCE).await.unwrap().expect("reclaimed");
    assert_eq!(
        (reclaimed.id.as_str(), reclaimed.deliveries),
        (held.id.as_str(), 2)
    );
    assert_eq!(reclaimed.consumer, "w2");
    assert!(!q.keep_alive(&held).await.unwrap(), "w1 lost it");
    // … and did not take it back: w2 still holds it.
    assert!(q.keep_alive(&reclaimed).await.unwrap());
    q.ack(&reclaimed).await.unwrap();
    assert!(!q.keep_alive(&reclaimed).await.unwrap(), "done");
    assert_eq!(q.depth().await.unwrap(), 0);
}

/// A dead letter carries the job, its deliveries, the last failure
/// recorded (by whichever delivery) and the time; it is never delivered,
/// until retried — once.
pub async fn a_dead_letter_is_kept_apart_until_retried(q: &dyn JobQueue) {
    q.enqueue(&job(1)).await.unwrap();
    let first = q.next("w1", BRIEF).await.unwrap().expect("job 1");
    assert_eq!(first.job, job(1));
    q.record_failure(&first, "database error: first")
        .await
        .unwrap();
    let second = q.next("w2", PATIENCE).await.unwrap().expect("job 1 again");
    assert_eq!((second.job.clone(), second.deliveries), (job(1), 2));
    q.record_failure(&second, "object storage error: Not a directory")
        .await
        .unwrap();
    let at = Utc.with_ymd_and_hms(2026, 11, 20, 6, 30, 0).unwrap();
    q.dead_letter(&second, at).await.unwrap();

    let dead = q.dead_letters().await.unwrap();
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0].job, job(1));
    assert_eq!(dead[0].deliveries, 2);
    assert_eq!(
        dead[0].last_error.as_deref(),
        Some("object storage error: Not a directory")
    );
    assert_eq!(dead[0].at, at);
    assert_eq!(q.depth().await.unwrap(), 0, "out of the queue");
    q.enqueue(&job(2)).await.unwrap();
    // Never delivered again, not even after the reclaim timeout.
    let next = q.next("w3", RECLAIM * 2).await.unwrap().expect("job 2");
    assert_eq!(next.job, job(2));
    q.ack(&next).await.unwrap();
    assert_eq!(q.next("w3", RECLAIM * 2).await.unwrap(), None);

    assert!(q.retry_dead_letter(&dead[0].id).await.unwrap());
    assert_eq!(q.dead_letters().await.unwrap(), []);
    let again = q.next("w4", BRIEF).await.unwrap().expect("requeued");
    assert_eq!(
        (again.job.clone(), again.deliveries),
        (job(1), 1),
        "a fresh job"
    );
    assert_ne!(again.id, first.id);
    q.ack(&again).await.unwrap();
    assert!(
        !q.retry_dead_letter(&dead[0].id).await.unwrap(),
        "retried once"
    );
    assert_eq!(q.depth().await.unwrap(), 0);
}

/// A job with no failure recorded goes to the dead letters without one.
pub async fn a_dead_letter_without_a_recorded_failure_says_so(q: &dyn JobQueue) {
    q.enqueue(&job(1)).await.unwrap();
    let delivery = q.next("w1", BRIEF).await.unwrap().expect("the job");
    q.dead_letter(&delivery, Utc::now()).await.unwrap();
    let dead = q.dead_letters().await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!((dead[0].deliveries, dead[0].last_error.clone()), (1, None));
}

/// A delivery done by another consumer meanwhile is not dead-lettered
/// by the slow one.
pub async fn a_job_done_meanwhile_is_not_dead_lettered(q: &dyn JobQueue) {
    q.enqueue(&job(1)).await.unwrap();
    let slow = q.next("slow", BRIEF).await.unwrap().expect("the job");
    let fast = q.next("fast", PATIENCE).await.unwrap().expect("reclaimed");
    q.ack(&fast).await.unwrap();
    q.dead_letter(&slow, Utc::now()).await.unwrap();
    assert_eq!(q.dead_letters().await.unwrap(), []);
    assert_eq!(q.depth().await.unwrap(), 0);
}

/// Retrying an id that names no dead letter changes nothing, whatever
/// the id looks like.
pub async fn retrying_an_unknown_dead_letter_changes_nothing(q: &dyn JobQueue) {
    q.enqueue(&job(1)).await.unwrap();
    let delivery = q.next("w1", BRIEF).await.unwrap().expect("the job");
    q.dead_letter(&delivery, Utc::now()).await.unwrap();
    let dead = q.dead_letters().await.unwrap();
    for id in [
        "",
        "nonsense",
        "0-0",
        "99999999999999-0",
        "18446744073709551616-0",
        "1-2-3",
        "-",
        "+",
        "(0",
        " 1",
        "-1",
    ] {
        assert!(
            !q.retry_dead_letter(id).await.unwrap(),
            "{id:?} named a dead letter"
        );
    }
    assert_eq!(q.dead_letters().await.unwrap(), dead, "untouched");
    assert_eq!(q.depth().await.unwrap(), 0, "nothing queued");
}

/// The dead letters come back in the order they were made, past one
/// page of reading.
pub async fn every_dead_letter_is_listed_in_order(q: &dyn JobQueue) {
    let n = 230;
    for account in 0..n {
        q.enqueue(&job(account)).await.unwrap();
    }
    while let Some(delivery) = q.next("w1", Duration::ZERO).await.unwrap() {
        q.dead_letter(&delivery, Utc::now()).await.unwrap();
    }
    let dead = q.dead_letters().await.unwrap();
    let accounts: Vec<i64> = dead.iter().map(|d| d.job.account_id).collect();
    assert_eq!(accounts, (0..n).collect::<Vec<_>>());
}
