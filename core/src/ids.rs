//! Application-generated ids.
//!
//! Every row id is a positive, time-ordered 64-bit integer made here, never
//! by the database (Vitess shards cannot share an AUTO_INCREMENT). Layout,
//! high bit to low: 1 sign bit (0), 41 bits of milliseconds since
//! [`EPOCH_MS`] (≈ 69 years), 10 bits of node id (random per process), 12
//! bits of sequence within the millisecond. Ids from one generator strictly
//! increase; two processes collide only if they draw the same node id *and*
//! mint in the same millisecond with the same sequence.

use std::fmt;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// 2026-01-01T00:00:00Z.
pub const EPOCH_MS: u64 = 1_767_225_600_000;
const NODE_BITS: u32 = 10;
const SEQ_BITS: u32 = 12;
const SEQ_MASK: u64 = (1 << SEQ_BITS) - 1;

/// The id of a user: the sharding key of every user-owned table.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct UserId(i64);

impl UserId {
    pub const fn new(raw: i64) -> Self {
        Self(raw)
    }

    pub const fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Mints ids; share one per process.
#[derive(Debug)]
pub struct IdGenerator {
    node: u64,
    state: Mutex<(u64, u64)>, // (last millisecond, sequence)
}

impl IdGenerator {
    /// A generator with a random node id.
    pub fn new() -> Self {
        Self::with_node(rand::random::<u16>() & ((1 << NODE_BITS) - 1))
    }

    pub fn with_node(node: u16) -> Self {
        Self {
            node: u64::from(node) & ((1 << NODE_BITS) - 1),
            state: Mutex::new((0, 0)),
        }
    }

    pub fn next_id(&self) -> i64 {
        let now = now_ms().saturating_sub(EPOCH_MS);
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let (last, seq) = *state;
        let (ms, seq) = if now > last {
            (now, 0)
        } else if seq < SEQ_MASK {
            (last, seq + 1)
        } else {
            // Sequence exhausted (4,096 ids in one millisecond) or the clock
            // went backwards: borrow the next millisecond. Ids stay unique and
            // increasing; the clock catches up.
            (last + 1, 0)
        };
        *state = (ms, seq);
        let id = (ms << (NODE_BITS + SEQ_BITS)) | (self.node << SEQ_BITS) | seq;
        // 41 bits of milliseconds keep the top bit clear until 2095.
        (id & (u64::MAX >> 1)) as i64
    }
}

impl Default for IdGenerator {
    fn default() -> Self {
        Self::new()
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(EPOCH_MS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_positive_unique_and_increasing() {
        let ids = IdGenerator::with_node(7);
        let minted: Vec<i64> = (0..20_000).map(|_| ids.next_id()).collect();
        assert!(minted.iter().all(|&id| id > 0));
        assert!(minted.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(minted.iter().collect::<HashSet<_>>().len(), minted.len());
    }

    #[test]
    fn generators_on_different_nodes_never_collide() {
        let a = IdGenerator::with_node(1);
        let b = IdGenerator::with_node(2);
        let mut seen = HashSet::new();
        for _ in 0..5_000 {
            assert!(seen.insert(a.next_id()));
            assert!(seen.insert(b.next_id()));
        }
    }
}
