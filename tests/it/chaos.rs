//! Chaos: the real worker process SIGKILLed again and again while 30
//! accounts sync, restarted each time — and then, within a minute of the
//! last kill, every account synced, no transaction lost or duplicated,
//! monthly spending equal to its transactions and every alert it implies
//! stored once. The clean run to compare with is the sandbox's own view
//! of each login (it is a pure function of the login and the date).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};
use serde_json::{Value, json};

use crate::crash::settled;
use crate::harness::cluster::Cluster;
use crate::harness::process::Process;

const USERS: usize = 10;
const ACCOUNTS_PER_USER: usize = 3;
const KILLS: usize = 10;
/// How long after the log shows a sync in progress each kill comes:
/// spread over a sync's pages and its follow-up (a first sync takes a few
/// hundred milliseconds here), the same on every run.
const DELAYS_MS: [u64; 10] = [0, 60, 15, 90, 30, 5, 120, 45, 10, 75];
/// The kills are the test's, not a poison job's: a job interrupted again
/// and again must not be taken for one and dead-lettered.
const WORKER: &[(&str, &str)] = &[("MONETA_QUEUE_MAX_DELIVERIES", "100")];
const REFRESH: &str = "mutation($input: RefreshAccountInput!) { refreshAccount(input: $input) { account { id } userErrors { code } } }";

/// Syncs a process's log shows started and not finished, by account.
fn in_flight(process: &Process) -> usize {
    let mut open: HashMap<String, i64> = HashMap::new();
    for line in process.output().lines() {
        let Ok(event) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let account = event["account_id"].to_string();
        match event["message"].as_str() {
            Some("sync started") => *open.entry(account).or_default() += 1,
            Some("sync finished" | "sync failed") => *open.entry(account).or_default() -= 1,
            _ => {}
        }
    }
    open.values().filter(|n| **n > 0).count()
}

#[tokio::test]
async fn a_worker_killed_ten_times_mid_sync_loses_nothing_and_leaves_nothing_stale() {
    let Some(cluster) = Cluster::start("the chaos test").await else {
        return;
    };
    let mut worker = cluster.worker(WORKER);
    let mut tokens = Vec::new();
    let mut accounts = Vec::new();
    for u in 0..USERS {
        let token = cluster.client.signed_up().await;
        // Tight budgets: the syncs raise alerts, which must survive too.
        cluster.client.tight_budgets(&token, "5.00").await;
        for a in 0..ACCOUNTS_PER_USER {
            let account = cluster.client.link(&token, &format!("chaos_{u}_{a}")).await;
            accounts.push((token.clone(), account));
        }
        tokens.push(token);
    }

    let mut last_kill = Instant::now();
    for kill in 0..KILLS {
        // Let the worker get into a sync, then kill it somewhere inside. A
        // sync that ended during the delay is let go and the next one
        // waited for, with half the delay (a sync with nothing new to
        // apply is over in a few milliseconds).
        let mut delay = DELAYS_MS[kill % DELAYS_MS.len()];
        let running = loop {
            wait_for_a_sync(&cluster, &worker, &accounts).await;
            tokio::time::sleep(Duration::from_millis(delay)).await;
            let running = in_flight(&worker);
            if running > 0 {
                break running;
            }
            delay /= 2;
        };
        worker.kill();
        last_kill = Instant::now();
        println!("kill {}: {running} sync(s) in flight", kill + 1);
        worker = cluster.worker(WORKER);
    }
    // A refresh asked for at once is carried out, not skipped as "already
    // running" behind the dead worker's lease.
    let asked = chrono::Utc::now();
    for (token, account) in &accounts {
        refresh(&cluster, token, account).await;
    }
    // Within 60 s of the last kill: everything settled and every refresh
    // asked afterwards carried out.
    let deadline = last_kill + Duration::from_secs(60);
    let db = cluster.shared.db.connect().await;
    let (figures, stale_refreshes) = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let figures = settled(&cluster, left).await;
        let stale_refreshes = moneta_entities::accounts::Entity::find()
            .filter(moneta_entities::accounts::Column::UserId.is_in(cluster.client.users()))
            .all(&db)
            .await
            .unwrap()
            .into_iter()
            .filter(|a| a.last_synced_at.is_none_or(|at| at < asked))
            .count();
        if (figures.clean() && stale_refreshes == 0) || Instant::now() >= deadline {
            break (figures, stale_refreshes);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    println!(
        "chaos: {KILLS} kills, each while the log showed a sync in progress; \
         {} accounts; refreshes not carried out: {stale_refreshes}; {figures}",
        accounts.len()
    );
    assert!(figures.clean(), "within 60 s of the last kill: {figures}");
    assert_eq!(figures.accounts, USERS * ACCOUNTS_PER_USER);
    assert!(figures.implied_alerts > 0, "{figures}");
    assert_eq!(
        stale_refreshes, 0,
        "every refresh asked after the kills ran"
    );
    drop(tokens);
}

/// Waits until `worker`'s log shows a sync in progress, asking for a
/// refresh of every account whenever it has had nothing to do for 10 s.
async fn wait_for_a_sync(cluster: &Cluster, worker: &Process, accounts: &[(String, String)]) {
    let mut deadline = Instant::now() + Duration::from_secs(10);
    while in_flight(worker) == 0 {
        if Instant::now() >= deadline {
            for (token, account) in accounts {
                refresh(cluster, token, account).await;
            }
            deadline = Instant::now() + Duration::from_secs(10);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn refresh(cluster: &Cluster, token: &str, account: &str) {
    let body = cluster
        .client
        .graphql(
            Some(token),
            REFRESH,
            json!({ "input": { "accountId": account } }),
        )
        .await;
    assert_eq!(
        body["data"]["refreshAccount"]["userErrors"],
        json!([]),
        "{body}"
    );
}
