//! Implementations of `core`'s `EventBus`.
//!
//! Both route events to local subscribers through a [`hub::Hub`]; the Redis
//! one first sends them through one pub/sub channel so every replica's hub
//! sees every event.

mod hub;
mod memory;
mod redis;

pub use memory::InProcessEventBus;
pub use redis::RedisEventBus;
