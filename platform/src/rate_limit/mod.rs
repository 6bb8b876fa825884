//! Implementations of `core`'s `RateLimiter`: fixed windows, in process
//! (the embedded default) or in Redis (shared by every replica).

mod memory;
mod redis;

pub use memory::InProcessRateLimiter;
pub use redis::RedisRateLimiter;
