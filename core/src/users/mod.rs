//! Users as the rest of the domain sees them, their activity, their
//! erasure and their export.

mod activity;
mod erasure;
mod export;
mod model;

pub use activity::Activity;
pub use erasure::{BATCH as ERASURE_BATCH, Erased, Erasure, delete_rows};
pub use export::{Export, export};
pub use model::{User, find, is_live};
