//! Crash points, not luck: the real processes aborted at each step
//! boundary of the work that must survive a crash (a sync's pages and its
//! follow-up; a request's change and its follow-up), then restarted — and
//! afterwards nothing lost, nothing duplicated, nothing stale.
//!
//! The crash points are compiled into the test build of the binary only
//! (`moneta-core`'s `failpoints` feature, enabled by the root package's
//! dev-dependency) and armed with `FAILPOINTS=<point>=return`, which aborts
//! the process the first time the point is reached.

use std::time::Duration;

use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};
use serde_json::json;

use crate::harness::cluster::Cluster;
use crate::harness::fixtures::global_id;
use crate::harness::invariants::{Figures, figures};
use crate::harness::process::Process;

/// Polls the database until every invariant holds; returns the last
/// figures either way.
pub async fn settled(cluster: &Cluster, within: Duration) -> Figures {
    let db = cluster.shared.db.connect().await;
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let now = figures(&db, &cluster.client.users()).await;
        if now.clean() || tokio::time::Instant::now() >= deadline {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Waits for a process armed with a crash point to abort there.
fn crashed_at(process: &mut Process, point: &str) {
    assert!(
        !process.wait_exit(Duration::from_secs(90)),
        "the process exited cleanly instead of crashing at {point}"
    );
    let said = process.output();
    assert!(
        said.contains("crash point reached") && said.contains(point),
        "the process died, but not at {point}:\n{said}"
    );
}

/// The worker dies at `point` during the first syncs of two accounts; a
/// new worker finishes them.
async fn worker_crashes_at(point: &str) {
    let Some(cluster) = Cluster::start(&format!("crash at {point}")).await else {
        return;
    };
    let mut doomed = cluster.worker(&[("FAILPOINTS", &format!("{point}=return"))]);
    let token = cluster.client.signed_up().await;
    // Any spending this month crosses a budget: the syncs raise alerts.
    cluster.client.tight_budgets(&token, "1.00").await;
    for login in ["crash_a", "crash_b"] {
        cluster.client.link(&token, login).await;
    }
    crashed_at(&mut doomed, point);
    let _worker = cluster.worker(&[]);
    let figures = settled(&cluster, Duration::from_secs(90)).await;
    println!("worker crashed at {point}, then restarted: {figures}");
    assert!(figures.clean(), "after a crash at {point}: {figures}");
    assert!(figures.expected > 0 && figures.stored == figures.expected);
    assert!(
        figures.implied_alerts > 0,
        "the syncs raise alerts: {figures}"
    );
}

macro_rules! worker_crash_tests {
    ($($name:ident => $point:literal,)*) => {$(
        #[tokio::test]
        async fn $name() {
            worker_crashes_at($point).await;
        }
    )*};
}

worker_crash_tests! {
    a_worker_killed_after_storing_a_raw_page_loses_nothing => "sync.page.stored",
    a_worker_killed_after_a_page_commits_leaves_nothing_stale => "sync.page.committed",
    a_worker_killed_before_the_follow_up_leaves_nothing_stale => "sync.follow_up.before",
    a_worker_killed_after_recomputing_leaves_no_alert_unsent => "spending.recomputed",
    a_worker_killed_before_clearing_the_follow_up_repeats_it_harmlessly => "spending.alerted",
    a_worker_killed_after_the_follow_up_still_finishes_the_sync => "sync.follow_up.after",
    a_worker_killed_before_acknowledging_repeats_the_job_harmlessly => "job.before_ack",
}

/// `moneta jobs run sweep-spending` against the cluster, settling every
/// record at once.
fn sweep(cluster: &Cluster) {
    let mut sweeper = Process::spawn(cluster.shared.moneta(
        &["jobs", "run", "sweep-spending"],
        &[("MONETA_SPENDING_SWEEP_AFTER_SECS", "0")],
    ));
    assert!(
        sweeper.wait_exit(Duration::from_secs(60)),
        "the sweep failed:\n{}",
        sweeper.output()
    );
}

/// The api dies between committing a change and settling its follow-up;
/// the record it left makes the sweeper finish the work.
async fn api_crashes_at(point: &str, change: impl AsyncFnOnce(&Cluster, &str, &str)) {
    let Some(mut cluster) = Cluster::start(&format!("crash at {point}")).await else {
        return;
    };
    let _worker = cluster.worker(&[]);
    let token = cluster.client.signed_up().await;
    let account = cluster.client.link(&token, "crash_c").await;
    cluster.client.link(&token, "crash_d").await;
    let before = settled(&cluster, Duration::from_secs(90)).await;
    assert!(before.clean(), "{before}");

    // The api restarts with the crash point armed, and the change kills it.
    let mut doomed = Process::spawn(
        cluster
            .shared
            .command("api", &[("FAILPOINTS", &format!("{point}=return"))]),
    );
    cluster.client.base = format!("http://{}", doomed.serving_addr(Duration::from_secs(60)));
    change(&cluster, &token, &account).await;
    crashed_at(&mut doomed, point);
    let users = cluster.client.users();
    let left = figures(&cluster.shared.db.connect().await, &users).await;
    println!("api crashed at {point}: {left}");
    assert!(
        left.unsettled > 0 && left.stale_cells > 0,
        "the change committed with its record, and its month is stale until settled: {left}"
    );

    sweep(&cluster);
    let after = figures(&cluster.shared.db.connect().await, &users).await;
    println!("after the sweep: {after}");
    assert!(after.clean(), "the sweeper settled it: {after}");
}

#[tokio::test]
async fn an_override_whose_request_died_is_settled_by_the_sweeper() {
    api_crashes_at("override.committed", async |cluster, token, _| {
        let rows = moneta_entities::transactions::Entity::find()
            .filter(moneta_entities::transactions::Column::UserId.is_in(cluster.client.users()))
            .all(&cluster.shared.db.connect().await)
            .await
            .unwrap();
        let target = rows
            .iter()
            .find(|r| r.category != "TRAVEL" && r.amount_cents > 0)
            .expect("a transaction to recategorize");
        let _ = cluster
            .client
            .graphql_raw(
                Some(token),
                "mutation($input: SetTransactionCategoryInput!) { setTransactionCategory(input: $input) { transaction { category } } }",
                json!({ "input": { "transactionId": global_id("Transaction", target.id), "category": "TRAVEL" } }),
            )
            .await;
    })
    .await;
}

#[tokio::test]
async fn an_unlink_whose_request_died_is_settled_by_the_sweeper() {
    api_crashes_at("unlink.committed", async |cluster, token, account| {
        let _ = cluster
            .client
            .graphql_raw(
                Some(token),
                crate::sync::UNLINK,
                json!({ "input": { "accountId": account } }),
            )
            .await;
    })
    .await;
}
