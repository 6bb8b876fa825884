//! Background work: the cron scheduler and the sync job consumers. The
//! only crate that knows `tokio-cron-scheduler`. Jobs are plain functions
//! in [`jobs`]; [`scheduler`] only maps cron expressions to them, and
//! `MONETA_SCHEDULED_JOBS` (resolved by the root package) says which.
//!
//! # Layout
//! - [`consumer`]: sync consumers: queue → pipeline → ack (or dead letter), kept
//!   alive while they run, finishing their jobs at shutdown.
//! - [`context`]: what every job receives, `core`'s services among it (the
//!   workers' only way to the database).
//! - [`jobs`]: the jobs and their registry (`moneta jobs run <name>` and cron both use it):
//!   one queued sync, the daily sync, the spending sweeper, the retention
//!   jobs and the erasure resume.
//! - [`metrics`]: job runs and durations, retention deletions and dead
//!   letters, for `/metrics`.
//! - [`scheduler`]: runs the registry's jobs on their cron schedule until shutdown.

pub mod consumer;
pub mod context;
pub mod jobs;
pub mod metrics;
pub mod scheduler;

pub use context::WorkerContext;
pub use metrics::JobMetrics;
pub use scheduler::{Scheduler, SchedulerError};
