//! Node ids: replicas lease distinct ones, so their ids never collide.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use moneta_core::IdGenerator;
use moneta_core::ids::{NODE_COUNT, NodeIdError, NodeIds};
use moneta_core::ports::Leases;
use moneta_platform::lease::{InProcessLeases, RedisLeases};
use moneta_platform::redis::Redis;
use secrecy::SecretString;

const REPLICAS: usize = 100;

/// The leases of `REPLICAS` processes sharing one store: a Redis
/// connection each under one fresh prefix when the suite runs on Redis,
/// else one in-process map shared by all.
async fn replica_leases() -> Vec<Arc<dyn Leases>> {
    let prefix = format!("moneta-test-ids-{}", uuid::Uuid::new_v4().simple());
    match std::env::var("MONETA_TEST_REDIS_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        Some(url) => {
            let url = SecretString::from(url);
            let connects = (0..REPLICAS).map(|_| Redis::connect(&url, &prefix));
            futures_util::future::try_join_all(connects)
                .await
                .expect("Redis reachable")
                .into_iter()
                .map(|r| Arc::new(RedisLeases::new(r)) as Arc<dyn Leases>)
                .collect()
        }
        None => {
            let shared: Arc<dyn Leases> = Arc::new(InProcessLeases::new());
            vec![shared; REPLICAS]
        }
    }
}

#[tokio::test]
async fn a_hundred_replicas_starting_at_once_lease_distinct_node_ids_and_mint_distinct_ids() {
    let leases = replica_leases().await;
    let allocations = leases.iter().map(|l| async move {
        let ids = NodeIds::new(l.clone(), NodeIds::TTL);
        let lease = ids.allocate().await.expect("a node id");
        (ids, lease)
    });
    let held = futures_util::future::join_all(allocations).await;
    let nodes: HashSet<u16> = held.iter().map(|(_, l)| l.node()).collect();
    assert_eq!(nodes.len(), REPLICAS, "two replicas share a node id");
    assert!(nodes.iter().all(|&n| n < NODE_COUNT));

    // Every replica mints at once, on threads of its own.
    let minted: Vec<Vec<i64>> = std::thread::scope(|scope| {
        let handles: Vec<_> = held
            .iter()
            .map(|(_, lease)| {
                let generator = IdGenerator::with_node(lease.node());
                scope.spawn(move || (0..2_000).map(|_| generator.next_id()).collect::<Vec<_>>())
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("minting thread"))
            .collect()
    });
    let all: HashSet<i64> = minted.iter().flatten().copied().collect();
    assert_eq!(
        all.len(),
        REPLICAS * 2_000,
        "two replicas minted the same id"
    );

    // Released nodes are free again.
    for (ids, lease) in &held {
        ids.release(lease).await.expect("release");
    }
    let again = NodeIds::new(leases[0].clone(), NodeIds::TTL);
    assert!(again.allocate().await.is_ok());
}

#[tokio::test]
async fn a_lost_node_lease_is_replaced_and_the_generator_switches_to_the_new_node() {
    let leases = replica_leases().await;
    let ttl = Duration::from_millis(300);
    let ours = NodeIds::new(leases[0].clone(), ttl);
    let lease = ours.allocate().await.expect("a node id");
    let lost = lease.node();
    let generator = Arc::new(IdGenerator::with_node(lost));

    // The lease is lost (as after a Redis restart), and another replica
    // takes that very node.
    ours.release(&lease).await.expect("release");
    let thief = leases[1]
        .acquire(&format!("id-node:{lost}"), Duration::from_secs(60))
        .await
        .expect("acquire")
        .expect("the node is free");

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let keeper = {
        let generator = generator.clone();
        tokio::spawn(async move {
            ours.keep(&generator, lease, async {
                let _ = stopped.await;
            })
            .await;
        })
    };
    let switched = tokio::time::timeout(Duration::from_secs(30), async {
        while generator.node() == lost {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(
        switched.is_ok(),
        "the generator still mints with the lost node id {lost}"
    );
    let _ = stop.send(());
    keeper.await.expect("keeper");
    // The thief still holds its node: the keeper never took it back.
    assert!(
        leases[1]
            .renew(&format!("id-node:{lost}"), &thief, Duration::from_secs(60))
            .await
            .expect("renew")
    );
}

#[tokio::test]
async fn when_every_node_id_is_leased_the_next_replica_is_refused() {
    // In process: 1,024 leases are instant there.
    let leases: Arc<dyn Leases> = Arc::new(InProcessLeases::new());
    let ids = NodeIds::new(leases, NodeIds::TTL);
    let mut nodes = HashSet::new();
    for _ in 0..NODE_COUNT {
        nodes.insert(ids.allocate().await.expect("a node id").node());
    }
    assert_eq!(nodes.len(), usize::from(NODE_COUNT));
    assert!(matches!(ids.allocate().await, Err(NodeIdError::Exhausted)));
}
