//! Users as the rest of the domain sees them, their activity, their
//! erasure and their export; [`Users`] is what the API and the workers
//! read them through.

mod activity;
mod directory;
mod erasure;
mod export;
mod model;

pub use activity::Activity;
pub use directory::Users;
pub use erasure::{Erased, Erasure};
pub use export::{Export, export};
pub use model::{User, find, is_live};
