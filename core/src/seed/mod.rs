//! Synthetic data at scale (`moneta seed`): users and accounts made by the
//! product's own services, their histories synced by the real pipeline
//! (categorized, aggregated, alerts stored), and the raw upsert a seed's
//! rate is measured against.

mod error;
mod floor;
mod plan;
mod seeder;

pub use error::SeedError;
pub use floor::{FloorRows, floor_rows, remove_floor, upsert_floor};
pub use plan::{EMAIL_DOMAIN, SeedPlan};
pub use seeder::{Prepared, Seeder};
