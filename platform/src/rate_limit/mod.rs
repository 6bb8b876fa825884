//! Implementations of `core`'s `RateLimiter`: fixed windows, in process
//! (the embedded default) or in Redis (shared by every replica), the
//! latter behind [`FallbackRateLimiter`], which counts in process while
//! Redis is away, and [`BatchedCharges`], which admits cost charges with
//! room to spare without waiting for Redis.

mod batched;
mod fallback;
mod memory;
mod redis;

pub use batched::BatchedCharges;
pub use fallback::FallbackRateLimiter;
pub use memory::InProcessRateLimiter;
pub use redis::RedisRateLimiter;
