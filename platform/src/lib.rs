//! Process plumbing: settings, telemetry, connections to the database and
//! Redis, the adapters that implement `core`'s ports, secrets and shutdown.
//! Nothing here decides a business rule.
//!
//! # Layout
//! - [`cache`]: in-process (moka) and Redis implementations of `CacheStore`.
//! - [`config`]: every setting, its default, flag and env var — the only
//!   place that reads the environment.
//! - [`secrets`]: the JWT secret and credentials key, generated into the data
//!   dir in the embedded default, required in a cluster.
//! - [`telemetry`]: `tracing` subscriber (pretty or JSON).
//! - [`db`]: the SeaORM connection (SQLite or MySQL/vtgate, MySQL's TLS),
//!   the migrations' own connection, and `DatabaseConnection` re-exported
//!   for the composition root.
//! - [`redis`]: the Redis connection pool and key prefix.
//! - [`tls`]: the rustls client configuration for `rediss://`, and ring as
//!   the process's default provider (for sqlx's MySQL TLS).
//! - [`event_bus`]: in-process and Redis pub/sub implementations of `EventBus`.
//! - [`queue`]: in-process and Redis Streams implementations of `JobQueue`.
//! - [`lease`]: in-process and Redis implementations of `Leases`.
//! - [`checkpoint`]: in-process and Redis implementations of `Checkpoints`.
//! - [`health`]: health probes for the database and Redis (what each
//!   one's `Need` is, the composition root decides).
//! - [`rate_limit`]: in-process and Redis rate limiters, and the fallback
//!   from Redis to in-process while Redis is away.
//! - [`raw_pages`]: raw institution pages in an object store.
//! - [`shared`]: the Redis or in-process adapters, built together.
//! - [`simplefin`]: the SimpleFIN Bridge connector (an institution).
//! - [`shutdown`]: the SIGINT/SIGTERM future.

pub mod cache;
pub mod checkpoint;
pub mod config;
pub mod db;
pub mod event_bus;
pub mod health;
pub mod lease;
pub mod queue;
pub mod rate_limit;
pub mod raw_pages;
pub mod redis;
pub mod secrets;
pub mod shared;
pub mod shutdown;
pub mod simplefin;
pub mod telemetry;
pub mod tls;
