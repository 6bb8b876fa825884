//! Users as the rest of the domain sees them, their activity, their
//! erasure and their export.

mod activity;
mod erasure;
mod export;
mod model;

pub use activity::Activity;
pub use erasure::{Erased, Erasure};
pub use export::{Export, export};
pub use model::{User, find, is_live};
