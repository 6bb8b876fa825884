//! Users as the rest of the domain sees them, and their activity.

mod activity;
mod model;

pub use activity::Activity;
pub use model::{User, find};
