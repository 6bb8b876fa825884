//! Implementations of `core`'s `RateLimiter`: fixed windows, in process
//! (the embedded default) or in Redis (shared by every replica), the
//! latter behind [`FallbackRateLimiter`], which counts in process while
//! Redis is away.

mod fallback;
mod memory;
mod redis;

pub use fallback::FallbackRateLimiter;
pub use memory::InProcessRateLimiter;
pub use redis::RedisRateLimiter;
