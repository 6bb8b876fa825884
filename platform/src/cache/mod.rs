//! Implementations of `core`'s `CacheStore`: in process (the embedded
//! default) or in Redis (shared by every replica).

mod memory;
mod redis;

pub use memory::InProcessCache;
pub use redis::RedisCache;
