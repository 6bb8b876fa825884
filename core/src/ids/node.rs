//! Node ids that cannot collide: each process that mints ids holds a lease
//! on `id-node:<n>` for one of the [`NODE_COUNT`] node ids, in the leases
//! every replica shares (Redis in a cluster), and renews it while it runs.
//!
//! A lease that was lost anyway (Redis restarted empty, or the process
//! paused past the ttl and another took the node) is noticed at the next
//! renewal: the process leases another node and switches its generator.
//! A node freed by a dead process is safe to reuse: its ids carry
//! milliseconds from before its lease expired, the new holder's from after.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use super::{IdGenerator, NODE_COUNT};
use crate::error::InternalError;
use crate::ports::{LeaseToken, Leases};

#[derive(Debug, thiserror::Error)]
pub enum NodeIdError {
    #[error("all {NODE_COUNT} node ids are leased: too many processes mint ids at once")]
    Exhausted,
    #[error(transparent)]
    Internal(#[from] InternalError),
}

/// A held node id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeLease {
    node: u16,
    token: LeaseToken,
}

impl NodeLease {
    pub fn node(&self) -> u16 {
        self.node
    }
}

/// Leases node ids.
#[derive(Debug, Clone)]
pub struct NodeIds {
    leases: Arc<dyn Leases>,
    ttl: Duration,
}

impl NodeIds {
    /// How long a node lease lives without renewal.
    pub const TTL: Duration = Duration::from_secs(60);

    pub fn new(leases: Arc<dyn Leases>, ttl: Duration) -> Self {
        Self { leases, ttl }
    }

    /// Leases a free node id, probing from a random one so replicas that
    /// start together rarely contend for the same key.
    pub async fn allocate(&self) -> Result<NodeLease, NodeIdError> {
        let start = rand::random::<u16>() % NODE_COUNT;
        for step in 0..NODE_COUNT {
            let node = (start + step) % NODE_COUNT;
            if let Some(token) = self.leases.acquire(&key(node), self.ttl).await? {
                return Ok(NodeLease { node, token });
            }
        }
        Err(NodeIdError::Exhausted)
    }

    /// Extends `lease`; `false` when it was lost.
    pub async fn renew(&self, lease: &NodeLease) -> Result<bool, InternalError> {
        self.leases
            .renew(&key(lease.node), &lease.token, self.ttl)
            .await
    }

    pub async fn release(&self, lease: &NodeLease) -> Result<(), InternalError> {
        self.leases.release(&key(lease.node), &lease.token).await
    }

    /// Keeps `generator`'s node leased until `stop` resolves, renewing
    /// every third of the ttl; a lost lease is replaced by a new node,
    /// which the generator switches to. Releases the node at the end.
    pub async fn keep(
        &self,
        generator: &IdGenerator,
        lease: NodeLease,
        stop: impl Future<Output = ()>,
    ) {
        let mut lease = lease;
        let mut tick = tokio::time::interval(self.ttl / 3);
        tick.tick().await; // The first tick is immediate.
        tokio::pin!(stop);
        loop {
            tokio::select! {
                () = &mut stop => break,
                _ = tick.tick() => {}
            }
            match self.renew(&lease).await {
                Ok(true) => {}
                Ok(false) => match self.allocate().await {
                    Ok(next) => {
                        tracing::warn!(
                            lost = lease.node,
                            node = next.node,
                            "node id lease was lost; switched to a new node id"
                        );
                        generator.set_node(next.node);
                        lease = next;
                    }
                    Err(error) => {
                        tracing::error!(node = lease.node, %error, "node id lease was lost and no other node id could be leased");
                    }
                },
                // Nobody can take the node while the leases cannot be
                // reached either; keep it and try again.
                Err(error) => {
                    tracing::warn!(node = lease.node, %error, "could not renew the node id lease")
                }
            }
        }
        if let Err(error) = self.release(&lease).await {
            tracing::warn!(node = lease.node, %error, "could not release the node id lease");
        }
    }
}

fn key(node: u16) -> String {
    format!("id-node:{node}")
}
