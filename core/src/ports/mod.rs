//! Ports: what the domain needs from the outside world, as traits.
//! `platform` implements them (Redis or in-process); tests may too.

mod cache;
mod checkpoint;
mod event_bus;
mod health;
mod lease;
mod queue;
mod rate_limit;
mod raw_pages;

pub use cache::CacheStore;
pub use checkpoint::Checkpoints;
pub use event_bus::{AlertNotice, EventBus, EventStream, UserEvent};
pub use health::{Dependency, HealthProbe, HealthReport, Need};
pub use lease::{LeaseToken, Leases, hold_while};
pub use queue::{DeadLetter, Delivery, JobQueue, SyncJob, SyncReason};
pub use rate_limit::{Bucket, Charge, RateLimiter, Window};
pub use raw_pages::RawPageStore;
