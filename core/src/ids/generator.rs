//! The id generator.
//!
//! Every row id is a positive, time-ordered 64-bit integer made here, never
//! by the database (Vitess shards cannot share an AUTO_INCREMENT). Layout,
//! high bit to low: 1 sign bit (0), 41 bits of milliseconds since
//! [`EPOCH_MS`] (≈ 69 years), 10 bits of node id, 12 bits of sequence
//! within the millisecond. Ids from one generator strictly increase; two
//! generators never share a node id when their node ids are leased (see
//! [`super::node`]), so they never collide.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// 2026-01-01T00:00:00Z.
pub const EPOCH_MS: u64 = 1_767_225_600_000;
pub(super) const NODE_BITS: u32 = 10;
/// How many node ids there are: at most this many processes mint at once.
pub const NODE_COUNT: u16 = 1 << NODE_BITS;
const SEQ_BITS: u32 = 12;
const SEQ_MASK: u64 = (1 << SEQ_BITS) - 1;

/// Mints ids; share one per process.
#[derive(Debug)]
pub struct IdGenerator {
    node: AtomicU64,
    state: Mutex<(u64, u64)>, // (last millisecond, sequence)
}

impl IdGenerator {
    /// A generator with a random node id: for a process that mints alone
    /// (tests, benchmarks). A serving process leases its node id
    /// ([`super::NodeIds`]) and sets it with [`Self::set_node`].
    pub fn new() -> Self {
        Self::with_node(rand::random::<u16>() & ((1 << NODE_BITS) - 1))
    }

    pub fn with_node(node: u16) -> Self {
        Self {
            node: AtomicU64::new(u64::from(node) & ((1 << NODE_BITS) - 1)),
            state: Mutex::new((0, 0)),
        }
    }

    /// The node id in use.
    pub fn node(&self) -> u16 {
        self.node.load(Ordering::Relaxed) as u16
    }

    /// Switches to another node id (a newly leased one).
    pub fn set_node(&self, node: u16) {
        // Under the state lock, so no id is minted half with the old node.
        let _state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        self.node
            .store(u64::from(node) & ((1 << NODE_BITS) - 1), Ordering::Relaxed);
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
        let node = self.node.load(Ordering::Relaxed);
        let id = (ms << (NODE_BITS + SEQ_BITS)) | (node << SEQ_BITS) | seq;
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
