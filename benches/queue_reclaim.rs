//! Queue-reclaim benchmark: Redis commands per job a worker takes over
//! from dead consumers, with 2,500 jobs in flight (the daily sync's peak,
//! docs/scaling.md §4), for the queue's `XPENDING … IDLE` + `XCLAIM` beside
//! the strategy it replaced — `XAUTOCLAIM … COUNT 1` up to 100 times, then
//! `XPENDING` for the delivery count — measured in the same run.
//!
//! 2,500 jobs are taken by 25 consumers that then "die" (their entries
//! made an hour idle); live consumers take them over one by one, each
//! staying in flight, as a busy fleet's would. Then both strategies look
//! once more with nothing left to reclaim. Commands are counted from the
//! server's `INFO commandstats` (every command but `INFO`), so run it on a
//! Redis nothing else uses meanwhile:
//!
//! `MONETA_TEST_REDIS_URL=redis://127.0.0.1:6379 cargo bench --bench queue_reclaim`
//! (keys go under fresh prefixes).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use fred::interfaces::{ClientLike as _, KeysInterface as _, StreamsInterface as _};
use fred::prelude::{Key, Value};
use fred::types::streams::XReadValue;
use moneta_core::ports::{JobQueue as _, SyncJob, SyncReason};
use moneta_platform::queue::RedisJobQueue;
use moneta_platform::redis::Redis;
use secrecy::SecretString;

const IN_FLIGHT: usize = 2_500;
const DEAD_CONSUMERS: usize = 25;
const LIVE_CONSUMERS: usize = 32;
/// Longer than the benchmark: nothing taken in it becomes reclaimable.
const RECLAIM_AFTER: Duration = Duration::from_secs(600);
/// How idle the dead consumers' entries are made.
const AN_HOUR_MS: u64 = 3_600_000;
/// The queue's consumer group.
const GROUP: &str = "workers";
/// Looks with nothing to reclaim, averaged.
const EMPTY_LOOKS: u64 = 10;

fn main() -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let Some(url) = std::env::var("MONETA_TEST_REDIS_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        eprintln!(
            "MONETA_TEST_REDIS_URL not set: the queue-reclaim benchmark needs a Redis server and did not run"
        );
        return Ok(());
    };
    let url = SecretString::from(url);
    println!(
        "queue reclaim: {IN_FLIGHT} jobs in flight, left by {DEAD_CONSUMERS} dead consumers, \
         taken over one by one by {LIVE_CONSUMERS} live ones (each staying in flight)"
    );

    let old = Scenario::new(&url, "old").await?;
    let baseline = old.take_all(Strategy::AutoclaimScan).await?;
    let new = Scenario::new(&url, "new").await?;
    let moneta = new.take_all(Strategy::PendingIdle).await?;
    // Everything in flight is healthy now: what a look that finds nothing
    // to reclaim costs (every consumer looks at least once a second).
    let empty_baseline = new.empty_looks(Strategy::AutoclaimScan).await?;
    let empty_moneta = new.empty_looks(Strategy::PendingIdle).await?;
    old.clean().await?;
    new.clean().await?;

    println!();
    println!(
        "| strategy | jobs taken over | Redis commands | per job taken | time | per look finding nothing |"
    );
    println!("|---|---|---|---|---|---|");
    for (name, run, empty) in [
        (
            "baseline: XAUTOCLAIM COUNT 1 ×≤100 + XPENDING",
            &baseline,
            empty_baseline,
        ),
        ("Moneta: XPENDING IDLE … 1 + XCLAIM", &moneta, empty_moneta),
    ] {
        println!(
            "| {name} | {} of {IN_FLIGHT} | {} | {:.1} | {:.2} s | {empty:.1} |",
            run.taken,
            run.commands,
            run.commands as f64 / run.taken.max(1) as f64,
            run.elapsed.as_secs_f64(),
        );
    }
    if baseline.taken < IN_FLIGHT {
        println!(
            "(the baseline's scan reaches only the oldest 1,000 pending entries: with that many \
             healthy jobs in flight ahead of them, {} dead consumers' jobs were never reclaimed)",
            IN_FLIGHT - baseline.taken
        );
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Strategy {
    /// What `RedisJobQueue::reclaim` did before: `XAUTOCLAIM … COUNT 1`
    /// from the start of the pending list (each call looks at ≤ 10
    /// entries), up to 100 calls, then `XPENDING` for the delivery count;
    /// `XREADGROUP` when nothing was reclaimed.
    AutoclaimScan,
    /// The queue itself (`RedisJobQueue::next`).
    PendingIdle,
}

struct Run {
    taken: usize,
    commands: u64,
    elapsed: Duration,
}

/// A stream under a prefix of its own, its jobs held by dead consumers.
struct Scenario {
    redis: Redis,
    queue: RedisJobQueue,
    stream: String,
}

impl Scenario {
    async fn new(url: &SecretString, name: &str) -> anyhow::Result<Self> {
        let prefix = format!("moneta-bench-{}-{name}", std::process::id());
        let redis = Redis::connect(url, &prefix).await?;
        let queue = RedisJobQueue::start(redis.clone(), RECLAIM_AFTER).await?;
        let stream = redis.key("jobs:sync");
        // Opens the queue's reader connection before anything is counted.
        queue.next("warm-up", Duration::ZERO).await?;
        for n in 0..IN_FLIGHT {
            let job = SyncJob {
                user_id: 1,
                account_id: i64::try_from(n)?,
                reason: SyncReason::Daily,
            };
            queue.enqueue(&job).await?;
        }
        let per_consumer = IN_FLIGHT / DEAD_CONSUMERS;
        let pool = redis.pool.next();
        for c in 0..DEAD_CONSUMERS {
            let consumer = format!("dead-{c}");
            let read: Value = pool
                .xreadgroup(
                    GROUP,
                    consumer.as_str(),
                    Some(u64::try_from(per_consumer)?),
                    None,
                    false,
                    stream.as_str(),
                    ">",
                )
                .await?;
            let ids: Vec<String> = read
                .into_xread_response::<String, String, Key, Value>()?
                .into_values()
                .flatten()
                .map(|(id, _)| id)
                .collect();
            // As if taken an hour ago by a worker that died since.
            let _: Value = pool
                .xclaim(
                    stream.as_str(),
                    GROUP,
                    consumer.as_str(),
                    0,
                    ids,
                    Some(AN_HOUR_MS),
                    None,
                    None,
                    false,
                    true,
                )
                .await?;
        }
        Ok(Self {
            redis,
            queue,
            stream,
        })
    }

    /// Takes jobs until every one is taken or a look finds none.
    async fn take_all(&self, strategy: Strategy) -> anyhow::Result<Run> {
        let before = commands(&self.redis).await?;
        let started = Instant::now();
        let mut taken = 0;
        while taken < IN_FLIGHT {
            let consumer = format!("alive-{}", taken % LIVE_CONSUMERS);
            if !self.take(strategy, &consumer).await? {
                break;
            }
            taken += 1;
        }
        let elapsed = started.elapsed();
        let commands = commands(&self.redis).await? - before;
        Ok(Run {
            taken,
            commands,
            elapsed,
        })
    }

    /// Commands per look when nothing can be reclaimed.
    async fn empty_looks(&self, strategy: Strategy) -> anyhow::Result<f64> {
        let before = commands(&self.redis).await?;
        for _ in 0..EMPTY_LOOKS {
            anyhow::ensure!(
                !self.take(strategy, "alive-0").await?,
                "nothing should be left to take"
            );
        }
        let spent = commands(&self.redis).await? - before;
        Ok(spent as f64 / EMPTY_LOOKS as f64)
    }

    /// One look for a job, as a consumer's `next` with no wait; whether it
    /// got one.
    async fn take(&self, strategy: Strategy, consumer: &str) -> anyhow::Result<bool> {
        match strategy {
            Strategy::PendingIdle => Ok(self.queue.next(consumer, Duration::ZERO).await?.is_some()),
            Strategy::AutoclaimScan => self.autoclaim_scan(consumer).await,
        }
    }

    async fn autoclaim_scan(&self, consumer: &str) -> anyhow::Result<bool> {
        let min_idle = u64::try_from(RECLAIM_AFTER.as_millis())?;
        let pool = self.redis.pool.next();
        let mut cursor = "0-0".to_owned();
        for _ in 0..100 {
            let (next, entries): (String, Vec<XReadValue<String, Key, Value>>) = pool
                .xautoclaim_values(
                    self.stream.as_str(),
                    GROUP,
                    consumer,
                    min_idle,
                    cursor.as_str(),
                    Some(1),
                    false,
                )
                .await?;
            if let Some((id, _)) = entries.into_iter().next() {
                let _: Vec<(String, String, u64, u64)> = pool
                    .xpending(self.stream.as_str(), GROUP, (id.as_str(), id.as_str(), 1))
                    .await?;
                return Ok(true);
            }
            if next == "0-0" {
                break;
            }
            cursor = next;
        }
        let read: Value = pool
            .xreadgroup(
                GROUP,
                consumer,
                Some(1),
                None,
                false,
                self.stream.as_str(),
                ">",
            )
            .await?;
        Ok(!read.is_null())
    }

    async fn clean(&self) -> anyhow::Result<()> {
        let _: Value = self.redis.pool.next().del(self.stream.as_str()).await?;
        self.redis.pool.quit().await?;
        Ok(())
    }
}

/// Commands the server has run, but `INFO` (which this reads with).
async fn commands(redis: &Redis) -> anyhow::Result<u64> {
    let info: String = redis
        .pool
        .next()
        .info(Some(fred::types::InfoKind::CommandStats))
        .await?;
    let mut calls: HashMap<&str, u64> = HashMap::new();
    for line in info.lines() {
        let Some((name, stats)) = line
            .strip_prefix("cmdstat_")
            .and_then(|l| l.split_once(':'))
        else {
            continue;
        };
        let n = stats
            .split(',')
            .find_map(|kv| kv.strip_prefix("calls="))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        calls.insert(name, n);
    }
    Ok(calls
        .iter()
        .filter(|(name, _)| **name != "info")
        .map(|(_, n)| n)
        .sum())
}
