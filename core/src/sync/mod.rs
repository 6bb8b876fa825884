//! The extraction pipeline: pull → store raw → categorize → upsert →
//! aggregate → notify → publish. `workers` calls [`SyncPipeline::run`] for
//! each job; everything it needs arrives through [`SyncPipeline`]'s ports.

mod apply;
mod deltas;
mod pipeline;

pub use apply::{Applied, CarriedOverrides, PageApply};
pub use pipeline::{SyncOutcome, SyncPipeline};
