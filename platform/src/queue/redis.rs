use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use fred::clients::Client;
use fred::interfaces::{ClientLike as _, StreamsInterface as _};
use fred::prelude::{Key, Options, Value};
use fred::types::streams::{XReadResponse, XReadValue};
use fred::types::{ClusterHash, CustomCommand};
use moneta_core::error::InternalError;
use moneta_core::ports::{Delivery, JobQueue, SyncJob};
use tokio::time::Instant;

use super::queue_error;
use crate::redis::Redis;

/// The consumer group every worker reads through.
const GROUP: &str = "workers";
/// The stream entry's one field: the job as JSON.
const FIELD: &str = "job";
/// Longest single blocking read. Between reads `next` looks for
/// reclaimable entries again, so a dead consumer's job is picked up within
/// about this much of becoming reclaimable, even by a consumer that is
/// already waiting.
const MAX_BLOCK: Duration = Duration::from_secs(1);
const MIN_BLOCK: Duration = Duration::from_millis(50);
/// Headroom over the block time before the client gives up on a read.
const READ_TIMEOUT_MARGIN: Duration = Duration::from_secs(2);
/// `XAUTOCLAIM … COUNT 1` looks at no more than 10 pending entries per call;
/// this many calls cover the 1,000 oldest in-flight entries.
const MAX_RECLAIM_SCANS: usize = 100;

/// Acknowledges and deletes one entry, atomically: acknowledged entries
/// leave the stream, so `XLEN` is exactly "waiting + in flight".
const ACK_AND_DELETE: &str = "redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) \
     return redis.call('XDEL', KEYS[1], ARGV[2])";

/// The cluster's queue: the stream `<prefix>:jobs:sync` read through the
/// consumer group `workers`.
///
/// - `enqueue`: `XADD <stream> * job <json>`, no `MAXLEN` — trimming would
///   silently drop jobs not yet done. The stream stays small anyway,
///   because `ack` deletes the entry (`XACK` + `XDEL` in one script).
/// - `next`: `XAUTOCLAIM` an entry idle for `reclaim_after` (its delivery
///   count then read back with `XPENDING`), else `XREADGROUP … >` blocking
///   for at most a second at a time until `wait` is over.
/// - `depth`: `XLEN` (waiting + in flight, since done entries are deleted).
///
/// An entry that does not decode is acknowledged, deleted and logged, never
/// delivered. If the group disappears (Redis lost its data), `next`
/// recreates it.
///
/// Blocking reads use connections of their own, never the shared pool: a
/// blocked connection serves no other command, so a worker's
/// `XREADGROUP BLOCK` on a pool connection would stall every cache read and
/// publish queued behind it for up to the block time.
pub struct RedisJobQueue {
    redis: Redis,
    stream: String,
    reclaim_after: Duration,
    readers: Readers,
}

impl std::fmt::Debug for RedisJobQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisJobQueue")
            .field("stream", &self.stream)
            .field("reclaim_after", &self.reclaim_after)
            .finish_non_exhaustive()
    }
}

impl RedisJobQueue {
    /// Creates the stream and the consumer group if missing.
    pub async fn start(redis: Redis, reclaim_after: Duration) -> Result<Self, fred::error::Error> {
        let queue = Self {
            stream: redis.key("jobs:sync"),
            readers: Readers::new(redis.pool.next().clone()),
            redis,
            reclaim_after,
        };
        queue.ensure_group().await?;
        Ok(queue)
    }

    async fn ensure_group(&self) -> Result<(), fred::error::Error> {
        // From "0", not "$": when the group is recreated over a surviving
        // stream, the jobs already in it are still delivered.
        let created = self
            .redis
            .pool
            .next()
            .xgroup_create::<Value, _, _, _>(self.stream.as_str(), GROUP, "0", true)
            .await;
        match created {
            Err(error) if !error.details().starts_with("BUSYGROUP") => Err(error),
            _ => Ok(()),
        }
    }

    async fn next_or_nothing(
        &self,
        consumer: &str,
        wait: Duration,
    ) -> Result<Option<Delivery>, fred::error::Error> {
        let deadline = Instant::now() + wait;
        loop {
            if let Some(delivery) = self.reclaim(consumer).await? {
                return Ok(Some(delivery));
            }
            let block = deadline
                .saturating_duration_since(Instant::now())
                .min(MAX_BLOCK)
                .min(self.reclaim_after.max(MIN_BLOCK));
            if let Some(delivery) = self.read_new(consumer, block).await? {
                return Ok(Some(delivery));
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
        }
    }

    /// Takes over the oldest entry left unacknowledged for `reclaim_after`.
    async fn reclaim(&self, consumer: &str) -> Result<Option<Delivery>, fred::error::Error> {
        let min_idle = u64::try_from(self.reclaim_after.as_millis()).unwrap_or(u64::MAX);
        let mut cursor = "0-0".to_owned();
        for _ in 0..MAX_RECLAIM_SCANS {
            let (next_cursor, entries): (String, Vec<XReadValue<String, Key, Value>>) = self
                .redis
                .pool
                .next()
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
            for (id, fields) in entries {
                let Some(job) = self.decode_or_discard(&id, &fields).await? else {
                    continue;
                };
                let deliveries = self.delivery_count(&id).await?;
                tracing::info!(id, consumer, deliveries, "reclaimed an unacknowledged job");
                return Ok(Some(Delivery {
                    id,
                    job,
                    deliveries,
                }));
            }
            if next_cursor == "0-0" {
                break;
            }
            cursor = next_cursor;
        }
        Ok(None)
    }

    /// The entry's delivery count, which `XAUTOCLAIM` has just incremented.
    async fn delivery_count(&self, id: &str) -> Result<u64, fred::error::Error> {
        let rows: Vec<(String, String, u64, u64)> = self
            .redis
            .pool
            .next()
            .xpending(self.stream.as_str(), GROUP, (id, id, 1))
            .await?;
        // Gone already (acknowledged meanwhile by its first consumer): it
        // was delivered at least twice.
        Ok(rows.first().map_or(2, |row| row.3))
    }

    /// A new entry for `consumer`, blocking up to `block`. `None` also when
    /// the entry read was undecodable (and so discarded).
    async fn read_new(
        &self,
        consumer: &str,
        block: Duration,
    ) -> Result<Option<Delivery>, fred::error::Error> {
        let block_ms = u64::try_from(block.as_millis()).unwrap_or(u64::MAX);
        let options = Options {
            timeout: Some(block + READ_TIMEOUT_MARGIN),
            ..Options::default()
        };
        let mut reader = self.readers.checkout().await?;
        let response: Value = reader
            .client
            .with_options(&options)
            .xreadgroup(
                GROUP,
                consumer,
                Some(1),
                // BLOCK 0 would mean "forever".
                (block_ms > 0).then_some(block_ms),
                false,
                self.stream.as_str(),
                ">",
            )
            .await?;
        reader.finished();
        // Nil when nothing came within the block time; `xreadgroup_map`
        // would fail to parse that ("Cannot convert to map").
        if response.is_null() {
            return Ok(None);
        }
        let response: XReadResponse<String, String, Key, Value> = response.into_xread_response()?;
        for (id, fields) in response.into_values().flatten() {
            if let Some(job) = self.decode_or_discard(&id, &fields).await? {
                return Ok(Some(Delivery {
                    id,
                    job,
                    deliveries: 1,
                }));
            }
        }
        Ok(None)
    }

    /// The entry's job, or `None` after acknowledging and deleting an
    /// entry that holds none.
    async fn decode_or_discard(
        &self,
        id: &str,
        fields: &HashMap<Key, Value>,
    ) -> Result<Option<SyncJob>, fred::error::Error> {
        let raw = fields.get(&Key::from(FIELD)).and_then(Value::as_bytes);
        let error = match raw.map(serde_json::from_slice::<SyncJob>) {
            Some(Ok(job)) => return Ok(Some(job)),
            Some(Err(error)) => error.to_string(),
            None => format!("no `{FIELD}` field"),
        };
        tracing::warn!(
            stream = self.stream,
            id,
            error,
            "undecodable job entry acknowledged and dropped"
        );
        self.ack_and_delete(id).await?;
        Ok(None)
    }

    async fn ack_and_delete(&self, id: &str) -> Result<(), fred::error::Error> {
        let args: Vec<Value> = vec![
            ACK_AND_DELETE.into(),
            1_i64.into(),
            self.stream.as_str().into(),
            GROUP.into(),
            id.into(),
        ];
        // Hash slot from the key (argument 2), for Redis Cluster.
        let eval = CustomCommand::new_static("EVAL", ClusterHash::Offset(2), false);
        self.redis
            .pool
            .next()
            .custom::<Value, _>(eval, args)
            .await?;
        Ok(())
    }
}

#[async_trait]
impl JobQueue for RedisJobQueue {
    async fn enqueue(&self, job: &SyncJob) -> Result<(), InternalError> {
        let payload = serde_json::to_string(job).map_err(queue_error)?;
        self.redis
            .pool
            .next()
            .xadd::<Value, _, _, _, _>(
                self.stream.as_str(),
                false,
                None::<()>,
                "*",
                (FIELD, payload),
            )
            .await
            .map_err(queue_error)?;
        Ok(())
    }

    async fn next(
        &self,
        consumer: &str,
        wait: Duration,
    ) -> Result<Option<Delivery>, InternalError> {
        match self.next_or_nothing(consumer, wait).await {
            Err(error) if error.details().starts_with("NOGROUP") => {
                tracing::warn!(
                    stream = self.stream,
                    "job stream or consumer group missing (Redis lost its data?); recreating"
                );
                self.ensure_group().await.map_err(queue_error)?;
                self.next_or_nothing(consumer, wait)
                    .await
                    .map_err(queue_error)
            }
            result => result.map_err(queue_error),
        }
    }

    async fn ack(&self, delivery: &Delivery) -> Result<(), InternalError> {
        self.ack_and_delete(&delivery.id).await.map_err(queue_error)
    }

    async fn depth(&self) -> Result<u64, InternalError> {
        self.redis
            .pool
            .next()
            .xlen(self.stream.as_str())
            .await
            .map_err(queue_error)
    }
}

/// Connections for blocking reads, one per concurrent `next`, reused.
struct Readers {
    /// Configuration source for new connections (the pool's settings:
    /// timeouts, reconnect policy).
    template: Client,
    idle: Mutex<Vec<Client>>,
}

impl Readers {
    fn new(template: Client) -> Self {
        Self {
            template,
            idle: Mutex::new(Vec::new()),
        }
    }

    async fn checkout(&self) -> Result<Reader<'_>, fred::error::Error> {
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        if let Some(client) = idle {
            return Ok(Reader {
                readers: self,
                client,
                finished: false,
            });
        }
        // Guarded before connecting, so a cancelled connect closes it.
        let reader = Reader {
            readers: self,
            client: self.template.clone_new(),
            finished: false,
        };
        // The connection task runs until `quit`; its handle is not needed.
        drop(reader.client.init().await?);
        Ok(reader)
    }
}

impl Drop for Readers {
    fn drop(&mut self) {
        let idle = std::mem::take(self.idle.get_mut().unwrap_or_else(PoisonError::into_inner));
        for client in idle {
            close(client);
        }
    }
}

/// A checked-out reader connection. Goes back to the idle list only after
/// a read that completed: one that failed, timed out or was cancelled may
/// still be blocked server-side, so it is closed instead.
struct Reader<'a> {
    readers: &'a Readers,
    client: Client,
    finished: bool,
}

impl Reader<'_> {
    fn finished(&mut self) {
        self.finished = true;
    }
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        // A handle to the same connection (clients are shared handles).
        let client = self.client.clone();
        if self.finished {
            self.readers
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(client);
        } else {
            close(client);
        }
    }
}

/// Closes a connection in the background (a no-op outside a runtime, where
/// the connection task is gone anyway).
fn close(client: Client) {
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(async move {
            let _ = client.quit().await;
        });
    }
}

#[cfg(test)]
mod tests {
    use fred::interfaces::KeysInterface as _;
    use moneta_core::ports::SyncReason;
    use secrecy::SecretString;

    use super::*;

    /// Runs only against a real Redis (`MONETA_TEST_REDIS_URL`, as in CI):
    /// the in-process queue cannot hold an undecodable entry at all.
    async fn queue() -> Option<RedisJobQueue> {
        let url = std::env::var("MONETA_TEST_REDIS_URL")
            .ok()
            .filter(|u| !u.is_empty())?;
        let prefix = format!("moneta-test-{:032x}", rand::random::<u128>());
        let redis = Redis::connect(&SecretString::from(url), &prefix)
            .await
            .unwrap();
        Some(
            RedisJobQueue::start(redis, Duration::from_millis(200))
                .await
                .unwrap(),
        )
    }

    async fn add_raw(q: &RedisJobQueue, field: &str, value: &[u8]) {
        q.redis
            .pool
            .next()
            .xadd::<Value, _, _, _, _>(q.stream.as_str(), false, None::<()>, "*", (field, value))
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn undecodable_entries_are_acknowledged_and_skipped() {
        let Some(q) = queue().await else {
            eprintln!("MONETA_TEST_REDIS_URL not set: Redis-only test not run");
            return;
        };
        add_raw(&q, FIELD, b"{not json").await;
        add_raw(&q, FIELD, &[0xff, 0xfe, 0x00]).await;
        add_raw(&q, "other", b"{}").await;
        let job = SyncJob {
            user_id: 1,
            account_id: 2,
            reason: SyncReason::Daily,
        };
        q.enqueue(&job).await.unwrap();

        let delivery = q.next("w1", Duration::from_secs(2)).await.unwrap().unwrap();
        assert_eq!(delivery.job, job);
        assert_eq!(q.depth().await.unwrap(), 1, "the bad ones are gone");
        q.ack(&delivery).await.unwrap();
        // Nothing comes back, not even after the reclaim timeout.
        assert_eq!(
            q.next("w2", Duration::from_millis(500)).await.unwrap(),
            None
        );
        assert_eq!(q.depth().await.unwrap(), 0);
    }

    #[tokio::test]
    async fn a_lost_stream_and_group_are_recreated() {
        let Some(q) = queue().await else {
            eprintln!("MONETA_TEST_REDIS_URL not set: Redis-only test not run");
            return;
        };
        // As after a Redis restart without persistence.
        let _: Value = q.redis.pool.next().del(q.stream.as_str()).await.unwrap();
        let job = SyncJob {
            user_id: 1,
            account_id: 3,
            reason: SyncReason::Link,
        };
        q.enqueue(&job).await.unwrap();
        let delivery = q.next("w1", Duration::from_secs(2)).await.unwrap().unwrap();
        assert_eq!(delivery.job, job);
        q.ack(&delivery).await.unwrap();
        assert_eq!(q.depth().await.unwrap(), 0);
    }
}
