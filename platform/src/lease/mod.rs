//! Implementations of `core`'s `Leases`: "at most one holder at a time",
//! expiring if the holder dies (e.g. one sync per account).
//!
//! - [`InProcessLeases`]: the embedded default, a map in memory.
//! - [`RedisLeases`]: `SET <prefix>:lease:<key> <token> NX PX <ttl>`,
//!   released by a compare-and-delete script.
//!
//! Tokens are 128 random bits, hex: a holder whose lease expired and was
//! taken by someone else cannot release the new holder's lease.

mod memory;
mod redis;

pub use memory::InProcessLeases;
pub use redis::RedisLeases;

use moneta_core::error::InternalError;
use moneta_core::ports::LeaseToken;

/// The one place lease failures become `InternalError`.
pub(crate) fn lease_error(error: impl std::fmt::Display) -> InternalError {
    InternalError::Queue(format!("lease: {error}"))
}

/// A fresh random token: 16 bytes, hex.
fn new_token() -> LeaseToken {
    use std::fmt::Write as _;
    let bytes: [u8; 16] = rand::random();
    let mut hex = String::with_capacity(32);
    for byte in bytes {
        let _ = write!(hex, "{byte:02x}");
    }
    LeaseToken(hex)
}
