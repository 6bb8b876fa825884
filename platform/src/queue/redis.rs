use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use fred::clients::Client;
use fred::interfaces::{ClientLike as _, KeysInterface as _, StreamsInterface as _};
use fred::prelude::{Expiration, Key, Options, Value};
use fred::types::streams::{XReadResponse, XReadValue};
use fred::types::{ClusterHash, CustomCommand};
use moneta_core::error::InternalError;
use moneta_core::ports::{DeadLetter, Delivery, JobQueue, SyncJob};
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
/// Times `reclaim` looks again after another consumer claimed the entry
/// it found first (or it held no job).
const RECLAIM_ATTEMPTS: usize = 3;
/// How long a recorded failure outlives a delivery nobody acknowledges or
/// dead-letters (far more than `MONETA_QUEUE_MAX_DELIVERIES` reclaims).
const FAILURE_TTL: Duration = Duration::from_secs(7 * 24 * 3600);
/// A recorded failure is cut to this many bytes.
const MAX_FAILURE_LEN: usize = 1_000;
/// Dead letters read per `XRANGE`.
const DEAD_PAGE: u64 = 100;

/// Acknowledges and deletes one entry, atomically: acknowledged entries
/// leave the stream, so `XLEN` is exactly "waiting + in flight". Returns
/// how many entries it deleted (0: gone already).
const ACK_AND_DELETE: &str = "redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) \
     return redis.call('XDEL', KEYS[1], ARGV[2])";

/// Restarts an entry's idle time if (and only if) consumer ARGV[3] still
/// holds it: `XCLAIM … 0 <id> JUSTID` resets the idle time without
/// counting a delivery, but would also take the entry from whoever
/// reclaimed it meanwhile. Returns 1 when kept, 0 when not held.
const KEEP_ALIVE: &str = "if #redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1, ARGV[3]) == 0 \
     then return 0 end \
     redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[3], 0, ARGV[2], 'JUSTID') \
     return 1";

/// The cluster's queue: the stream `<prefix>:jobs:sync` read through the
/// consumer group `workers`, and the dead letters in the stream
/// `<prefix>:jobs:sync:dead`.
///
/// - `enqueue`: `XADD <stream> * job <json>`, no `MAXLEN` — trimming would
///   silently drop jobs not yet done. The stream stays small anyway,
///   because `ack` deletes the entry (`XACK` + `XDEL` in one script).
/// - `next`: `XPENDING <stream> workers IDLE <reclaim_after> - + 1` names
///   the oldest entry idle that long (with its delivery count), `XCLAIM
///   <stream> workers <consumer> <reclaim_after> <id>` takes it (unless
///   another consumer did first); else `XREADGROUP … >` blocking for at
///   most a second at a time until `wait` is over. Two commands per job
///   reclaimed and one per look that finds nothing, however many jobs are
///   in flight (Redis walks the pending list itself).
/// - `keep_alive`: a script that resets the entry's idle time if the
///   consumer still holds it (`XPENDING … <consumer>` then `XCLAIM … 0
///   <id> JUSTID`, which counts no delivery).
/// - `record_failure`: `SET <stream>:failure:<id> <error> EX <7 days>`;
///   `ack` deletes it (`DEL`, after a redelivery only: a first delivery has
///   none), and it expires if nobody ever does.
/// - `dead_letter`: `XADD <stream>:dead` (job, entry id, deliveries, last
///   failure, time), then the entry is acknowledged and deleted from the
///   stream — in that order, so a crash in between leaves the job in both
///   places rather than in neither (then it is dead-lettered twice).
/// - `retry_dead_letter`: `XADD` the job to the stream, then `XDEL` the
///   dead letter (again: twice rather than never).
/// - `depth`: `XLEN` (waiting + in flight, since done entries are deleted).
///
/// The dead letters and failures are keys of their own (separate commands,
/// not one script), so under Redis Cluster they may live on other nodes
/// than the stream.
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
    dead: String,
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
        let stream = redis.key("jobs:sync");
        let queue = Self {
            dead: format!("{stream}:dead"),
            stream,
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

    fn failure_key(&self, id: &str) -> String {
        format!("{}:failure:{id}", self.stream)
    }

    fn min_idle_ms(&self) -> u64 {
        u64::try_from(self.reclaim_after.as_millis()).unwrap_or(u64::MAX)
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
        let min_idle = self.min_idle_ms();
        for _ in 0..RECLAIM_ATTEMPTS {
            let oldest: Vec<(String, String, u64, u64)> = self
                .redis
                .pool
                .next()
                .xpending(self.stream.as_str(), GROUP, (min_idle, "-", "+", 1))
                .await?;
            let Some((id, from, _idle, delivered)) = oldest.into_iter().next() else {
                return Ok(None);
            };
            // Claimed only if still idle that long: of two consumers that
            // found the same entry, one gets it.
            let claimed: Value = self
                .redis
                .pool
                .next()
                .xclaim(
                    self.stream.as_str(),
                    GROUP,
                    consumer,
                    min_idle,
                    id.as_str(),
                    None,
                    None,
                    None,
                    false,
                    false,
                )
                .await?;
            // Before Redis 7, an entry deleted from the stream but still
            // pending comes back as nil.
            let entries = match claimed {
                Value::Array(entries) => entries.into_iter().filter(|e| !e.is_null()).collect(),
                _ => Vec::new(),
            };
            let entries: Vec<XReadValue<String, Key, Value>> =
                Value::Array(entries).into_xread_value()?;
            let Some((id, fields)) = entries.into_iter().next() else {
                continue;
            };
            let Some(job) = self.decode_or_discard(&id, &fields).await? else {
                continue;
            };
            // XCLAIM counted this delivery.
            let deliveries = delivered + 1;
            tracing::info!(
                id,
                from,
                consumer,
                deliveries,
                "reclaimed an unacknowledged job"
            );
            return Ok(Some(Delivery {
                id,
                job,
                deliveries,
                consumer: consumer.to_owned(),
            }));
        }
        Ok(None)
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
                    consumer: consumer.to_owned(),
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

    /// Runs one of the scripts above on the stream.
    async fn script(
        &self,
        script: &'static str,
        args: &[&str],
    ) -> Result<Value, fred::error::Error> {
        let mut argv: Vec<Value> = vec![script.into(), 1_i64.into(), self.stream.as_str().into()];
        argv.extend(args.iter().map(|a| Value::from(*a)));
        // Hash slot from the key (argument 2), for Redis Cluster.
        let eval = CustomCommand::new_static("EVAL", ClusterHash::Offset(2), false);
        self.redis.pool.next().custom::<Value, _>(eval, argv).await
    }

    /// Whether the entry was still there to delete.
    async fn ack_and_delete(&self, id: &str) -> Result<bool, fred::error::Error> {
        let deleted = self.script(ACK_AND_DELETE, &[GROUP, id]).await?;
        Ok(deleted.as_u64().unwrap_or(0) > 0)
    }

    async fn add(&self, job: &SyncJob) -> Result<(), InternalError> {
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

    /// Dead letters after `after` (exclusive; from the start when `None`),
    /// at most [`DEAD_PAGE`], and the id of the last one read if the page
    /// was full (more may follow).
    async fn dead_page(
        &self,
        after: Option<&str>,
    ) -> Result<(Vec<DeadLetter>, Option<String>), fred::error::Error> {
        let start = after.map_or_else(|| "-".to_owned(), |id| format!("({id}"));
        let entries: Vec<XReadValue<String, String, String>> = self
            .redis
            .pool
            .next()
            .xrange_values(self.dead.as_str(), start, "+", Some(DEAD_PAGE))
            .await?;
        let last = entries
            .last()
            .filter(|_| entries.len() as u64 == DEAD_PAGE)
            .map(|(id, _)| id.clone());
        let letters = entries
            .into_iter()
            .filter_map(|(id, fields)| {
                let letter = decode_dead_letter(&id, &fields);
                if letter.is_none() {
                    tracing::warn!(stream = self.dead, id, "undecodable dead letter skipped");
                }
                letter
            })
            .collect();
        Ok((letters, last))
    }
}

/// A dead letter as `dead_letter` writes it.
fn decode_dead_letter(id: &str, fields: &HashMap<String, String>) -> Option<DeadLetter> {
    Some(DeadLetter {
        id: id.to_owned(),
        job: serde_json::from_str(fields.get(FIELD)?).ok()?,
        deliveries: fields.get("deliveries")?.parse().ok()?,
        last_error: fields.get("error").cloned(),
        at: DateTime::parse_from_rfc3339(fields.get("at")?)
            .ok()?
            .with_timezone(&Utc),
    })
}

/// Whether `id` is a whole stream id (`<ms>-<seq>`, as `dead_letters`
/// gives them), so a mistyped one is unknown rather than a Redis syntax
/// error, and a bare `<ms>` (a range to `XRANGE`) names nothing.
fn is_stream_id(id: &str) -> bool {
    let number = |s: &str| s.bytes().all(|b| b.is_ascii_digit()) && s.parse::<u64>().is_ok();
    id.split_once('-')
        .is_some_and(|(ms, seq)| number(ms) && number(seq))
}

/// At most [`MAX_FAILURE_LEN`] bytes of `error`, cut on a character boundary.
fn truncated(error: &str) -> &str {
    let mut end = error.len().min(MAX_FAILURE_LEN);
    while !error.is_char_boundary(end) {
        end -= 1;
    }
    &error[..end]
}

#[async_trait]
impl JobQueue for RedisJobQueue {
    async fn enqueue(&self, job: &SyncJob) -> Result<(), InternalError> {
        self.add(job).await
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

    fn reclaim_after(&self) -> Duration {
        self.reclaim_after
    }

    async fn keep_alive(&self, delivery: &Delivery) -> Result<bool, InternalError> {
        let kept = self
            .script(
                KEEP_ALIVE,
                &[GROUP, delivery.id.as_str(), delivery.consumer.as_str()],
            )
            .await
            .map_err(queue_error)?;
        Ok(kept.as_u64() == Some(1))
    }

    async fn record_failure(&self, delivery: &Delivery, error: &str) -> Result<(), InternalError> {
        let ttl = i64::try_from(FAILURE_TTL.as_secs()).unwrap_or(i64::MAX);
        self.redis
            .pool
            .next()
            .set::<Value, _, _>(
                self.failure_key(&delivery.id),
                truncated(error),
                Some(Expiration::EX(ttl)),
                None,
                false,
            )
            .await
            .map_err(queue_error)?;
        Ok(())
    }

    async fn ack(&self, delivery: &Delivery) -> Result<(), InternalError> {
        self.ack_and_delete(&delivery.id)
            .await
            .map_err(queue_error)?;
        // Only a failed delivery records a failure, and a failed delivery
        // is not acknowledged: an entry delivered once has none.
        if delivery.deliveries > 1 {
            self.redis
                .pool
                .next()
                .del::<Value, _>(self.failure_key(&delivery.id))
                .await
                .map_err(queue_error)?;
        }
        Ok(())
    }

    async fn dead_letter(
        &self,
        delivery: &Delivery,
        at: DateTime<Utc>,
    ) -> Result<(), InternalError> {
        let pool = &self.redis.pool;
        let failure_key = self.failure_key(&delivery.id);
        let last_error: Option<String> = pool
            .next()
            .get(failure_key.as_str())
            .await
            .map_err(queue_error)?;
        let mut fields = vec![
            (
                FIELD,
                serde_json::to_string(&delivery.job).map_err(queue_error)?,
            ),
            ("entry", delivery.id.clone()),
            ("deliveries", delivery.deliveries.to_string()),
            ("at", at.to_rfc3339()),
        ];
        if let Some(error) = last_error {
            fields.push(("error", error));
        }
        let dead_id: String = pool
            .next()
            .xadd(self.dead.as_str(), false, None::<()>, "*", fields)
            .await
            .map_err(queue_error)?;
        let deleted = self
            .ack_and_delete(&delivery.id)
            .await
            .map_err(queue_error)?;
        if !deleted {
            // Acknowledged meanwhile (its first consumer was only slow):
            // done after all, so not dead.
            pool.next()
                .xdel::<Value, _, _>(self.dead.as_str(), dead_id.as_str())
                .await
                .map_err(queue_error)?;
        }
        pool.next()
            .del::<Value, _>(failure_key.as_str())
            .await
            .map_err(queue_error)?;
        Ok(())
    }

    async fn dead_letters(&self) -> Result<Vec<DeadLetter>, InternalError> {
        let mut all = Vec::new();
        let mut after = None;
        loop {
            let (letters, last) = self
                .dead_page(after.as_deref())
                .await
                .map_err(queue_error)?;
            all.extend(letters);
            match last {
                Some(last) => after = Some(last),
                None => return Ok(all),
            }
        }
    }

    async fn retry_dead_letter(&self, id: &str) -> Result<bool, InternalError> {
        if !is_stream_id(id) {
            return Ok(false);
        }
        let found: Vec<XReadValue<String, String, String>> = self
            .redis
            .pool
            .next()
            .xrange_values(self.dead.as_str(), id, id, Some(1))
            .await
            .map_err(queue_error)?;
        let Some(letter) = found
            .first()
            .and_then(|(id, fields)| decode_dead_letter(id, fields))
        else {
            return Ok(false);
        };
        self.add(&letter.job).await?;
        self.redis
            .pool
            .next()
            .xdel::<Value, _, _>(self.dead.as_str(), letter.id.as_str())
            .await
            .map_err(queue_error)?;
        Ok(true)
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
    use moneta_core::ports::SyncReason;
    use secrecy::SecretString;

    use super::super::contract;
    use super::*;

    /// Runs only against a real Redis (`MONETA_TEST_REDIS_URL`, as in CI):
    /// the in-process queue cannot hold an undecodable entry at all.
    async fn queue() -> Option<RedisJobQueue> {
        queue_reclaiming_after(Duration::from_millis(200)).await
    }

    async fn queue_reclaiming_after(reclaim_after: Duration) -> Option<RedisJobQueue> {
        let url = std::env::var("MONETA_TEST_REDIS_URL")
            .ok()
            .filter(|u| !u.is_empty());
        let Some(url) = url else {
            eprintln!("MONETA_TEST_REDIS_URL not set: Redis-only test not run");
            return None;
        };
        let prefix = format!("moneta-test-{:032x}", rand::random::<u128>());
        let redis = Redis::connect(&SecretString::from(url), &prefix)
            .await
            .unwrap();
        Some(RedisJobQueue::start(redis, reclaim_after).await.unwrap())
    }

    /// The shared behaviour (`contract`), on Redis.
    macro_rules! contract_tests {
        ($($name:ident),* $(,)?) => {$(
            #[tokio::test]
            async fn $name() {
                if let Some(q) = queue_reclaiming_after(contract::RECLAIM).await {
                    contract::$name(&q).await;
                }
            }
        )*};
    }

    contract_tests!(
        keep_alive_holds_a_job_until_its_consumer_stops,
        a_dead_letter_is_kept_apart_until_retried,
        a_dead_letter_without_a_recorded_failure_says_so,
        a_job_done_meanwhile_is_not_dead_lettered,
        retrying_an_unknown_dead_letter_changes_nothing,
        every_dead_letter_is_listed_in_order,
    );

    fn job(account_id: i64) -> SyncJob {
        SyncJob {
            user_id: 1,
            account_id,
            reason: SyncReason::Daily,
        }
    }

    async fn exists(q: &RedisJobQueue, key: &str) -> bool {
        q.redis.pool.next().exists::<u64, _>(key).await.unwrap() == 1
    }

    #[tokio::test]
    async fn a_recorded_failure_is_deleted_with_its_entry_and_expires_anyway() {
        let Some(q) = queue().await else { return };
        q.enqueue(&job(1)).await.unwrap();
        let first = q.next("w1", Duration::ZERO).await.unwrap().unwrap();
        q.record_failure(&first, &"é".repeat(MAX_FAILURE_LEN))
            .await
            .unwrap();
        let key = q.failure_key(&first.id);
        let stored: String = q.redis.pool.next().get(key.as_str()).await.unwrap();
        assert!(stored.len() <= MAX_FAILURE_LEN && stored.starts_with('é'));
        let ttl: i64 = q.redis.pool.next().ttl(key.as_str()).await.unwrap();
        assert!(ttl > 0, "it expires: {ttl}");
        let again = q.next("w2", Duration::from_secs(3)).await.unwrap().unwrap();
        q.ack(&again).await.unwrap();
        assert!(!exists(&q, &key).await);
    }

    #[tokio::test]
    async fn dead_lettering_forgets_the_failure() {
        let Some(q) = queue().await else { return };
        q.enqueue(&job(1)).await.unwrap();
        let delivery = q.next("w1", Duration::ZERO).await.unwrap().unwrap();
        q.record_failure(&delivery, "boom").await.unwrap();
        q.dead_letter(&delivery, chrono::Utc::now()).await.unwrap();
        assert!(!exists(&q, &q.failure_key(&delivery.id)).await);
        assert_eq!(
            q.dead_letters().await.unwrap()[0].last_error.as_deref(),
            Some("boom")
        );
        assert!(exists(&q, &format!("{}:dead", q.stream)).await);
    }

    /// Behind any number of healthy jobs in flight, a dead consumer's job
    /// is still found, at the cost of two commands (the old `XAUTOCLAIM …
    /// COUNT 1` scan gave up after the first 1,000 pending entries).
    #[tokio::test]
    async fn a_dead_consumers_job_behind_1500_healthy_ones_is_reclaimed() {
        let Some(q) = queue_reclaiming_after(Duration::from_secs(60)).await else {
            return;
        };
        for account in 0..=1500 {
            q.enqueue(&job(account)).await.unwrap();
        }
        let pool = q.redis.pool.next();
        let _: Value = pool
            .xreadgroup(
                GROUP,
                "healthy",
                Some(1500),
                None,
                false,
                q.stream.as_str(),
                ">",
            )
            .await
            .unwrap();
        let dead = q.next("dead", Duration::ZERO).await.unwrap().unwrap();
        assert_eq!(dead.job.account_id, 1500);
        // As if "dead" took it an hour ago.
        let _: Value = pool
            .xclaim(
                q.stream.as_str(),
                GROUP,
                "dead",
                0,
                dead.id.as_str(),
                Some(3_600_000),
                None,
                None,
                false,
                true,
            )
            .await
            .unwrap();
        let rescued = q.next("rescuer", Duration::ZERO).await.unwrap().unwrap();
        assert_eq!((rescued.id, rescued.deliveries), (dead.id, 2));
        assert_eq!(q.next("rescuer", Duration::ZERO).await.unwrap(), None);
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
        let Some(q) = queue().await else { return };
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
        let Some(q) = queue().await else { return };
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
