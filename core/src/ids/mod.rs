//! Application-generated ids.
//!
//! - [`generator`]: time-ordered 64-bit ids (never AUTO_INCREMENT).
//! - [`node`]: leasing each process a node id of its own, so no two
//!   replicas' generators share one.
//! - [`user_id`]: the user id, the sharding key.

mod generator;
mod node;
mod user_id;

pub use generator::{EPOCH_MS, IdGenerator, NODE_COUNT};
pub use node::{NodeIdError, NodeIds, NodeLease};
pub use user_id::UserId;
