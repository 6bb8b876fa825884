//! Prometheus metrics (HTTP, SQL, GraphQL, subscriptions, cache, queue
//! depth; the workers add their jobs), rendered on `/metrics` by
//! [`crate::http`]. Each server owns its registry (no global state), so
//! several servers in one process — the tests — keep separate counts.

mod cache;
mod registry;

pub use registry::{GaugeGuard, Metrics};
