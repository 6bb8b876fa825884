//! The extraction pipeline: pull → store raw → categorize → upsert (with
//! the follow-up record) → settle the follow-up (recompute, invalidate,
//! alerts) → notify → publish. `workers` calls [`SyncPipeline::run`] for
//! each job; everything it needs arrives in [`SyncPipeline`]: the
//! connection, the ports and the domain pieces.

mod apply;
mod deltas;
mod pipeline;

pub(crate) use apply::upsert_chunk;
pub use apply::{Applied, CarriedOverrides, PageApply};
pub use pipeline::{SyncOutcome, SyncPipeline};
