//! Worker processes over their life: a SIGTERM lets the syncs in flight
//! finish (or, past the grace period, leaves them for another worker),
//! and a job that keeps failing ends in the dead letters, where
//! `moneta jobs dead-letter list|retry` find it. The cluster tests run the
//! shipped binary as `--role worker` beside an API server of the test, on
//! MariaDB and Redis.

use std::collections::HashMap;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::Utc;
use moneta_core::accounts::{ABANDONED_MESSAGE, mark_sync_abandoned};
use moneta_core::clock::FixedClock;
use moneta_core::{IdGenerator, UserId};
use moneta_platform::config::Role;
use sea_orm::{ColumnTrait as _, EntityTrait as _, PaginatorTrait as _, QueryFilter as _};
use secrecy::ExposeSecret as _;
use serde_json::Value;

use crate::harness::app::Options;
use crate::harness::fixtures::{insert_account, row_id};
use crate::harness::process::{self, Process};
use crate::harness::proxy::Proxy;
use crate::harness::{Backend, TestApp, TestDb};
use crate::sync::{ground_truth, link, wait_for_status};

/// Redis and MariaDB, which worker processes share with the test's API
/// server; `None` (the test says it did not run) without them.
fn cluster_backends(test: &str) -> Option<String> {
    let redis = crate::harness::redis::required_redis_url(test)?;
    if crate::harness::db::backend() != Backend::MySql {
        assert!(
            std::env::var_os("CI").is_none(),
            "{test} needs MONETA_TEST_DATABASE_URL, which CI must set"
        );
        eprintln!("MONETA_TEST_DATABASE_URL not set: {test} needs MariaDB and did not run");
        return None;
    }
    Some(redis)
}

/// An API-only server: the syncs are left to the worker processes.
async fn api() -> TestApp {
    TestApp::spawn_with(Options {
        tweak: Some(Box::new(|s| s.role = Role::Api)),
        ..Default::default()
    })
    .await
}

/// The test database's URL, reached through `port` instead.
fn database_url_via(api: &TestApp, port: Option<u16>) -> String {
    let url = api.db.url().expose_secret().to_owned();
    let Some(port) = port else { return url };
    let mut url = reqwest::Url::parse(&url).unwrap();
    url.set_port(Some(port)).unwrap();
    url.to_string()
}

/// The MariaDB server behind the test databases (`host:port`).
fn database_server(api: &TestApp) -> String {
    let url = reqwest::Url::parse(api.db.url().expose_secret()).unwrap();
    format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(3306))
}

/// `moneta serve --role worker` on the API's database, Redis prefix and
/// keys. Keep the returned directory while the process runs.
fn worker(
    api: &TestApp,
    redis_url: &str,
    database_url: &str,
    env: &[(&str, &str)],
) -> (Process, tempfile::TempDir) {
    let data_dir = tempfile::tempdir().unwrap();
    let mut command = process::moneta();
    command
        .arg("serve")
        .env("MONETA_ROLE", "worker")
        .env("MONETA_LISTEN", "127.0.0.1:0")
        .env("MONETA_DATA_DIR", data_dir.path())
        .env("MONETA_DATABASE_URL", database_url)
        .env("MONETA_DATABASE_MAX_CONNECTIONS", "4")
        .env("MONETA_REDIS_URL", redis_url)
        .env("MONETA_REDIS_PREFIX", &api.redis_prefix)
        .env("MONETA_JWT_SECRET", &api.jwt_secret)
        .env("MONETA_CREDENTIALS_KEY", &api.credentials_key);
    for (name, value) in env {
        command.env(name, value);
    }
    (Process::spawn(command), data_dir)
}

/// `moneta jobs dead-letter <args>` on the API's Redis prefix: whether it
/// succeeded, its stdout lines, and everything it said.
fn dead_letter_cli(api: &TestApp, redis_url: &str, args: &[&str]) -> (bool, Vec<String>, String) {
    let mut command = process::moneta();
    command
        .args(["jobs", "dead-letter"])
        .args(args)
        .env("MONETA_REDIS_URL", redis_url)
        .env("MONETA_REDIS_PREFIX", &api.redis_prefix);
    let mut cli = Process::spawn(command);
    let ok = cli.wait_exit(Duration::from_secs(60));
    let said = cli.output();
    let stdout = said
        .lines()
        .filter(|l| !l.starts_with("stderr: "))
        .map(str::to_owned)
        .collect();
    (ok, stdout, said)
}

fn sigterm(process: &Process) {
    let status = Command::new("kill")
        .args(["-s", "TERM", &process.pid().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

/// The JSON log lines a process printed, in order.
fn events(process: &Process) -> Vec<Value> {
    process
        .output()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn message_is(event: &Value, message: &str) -> bool {
    event["message"] == message
}

/// Waits for `n` log lines with `message`.
fn wait_for_messages(process: &mut Process, message: &str, n: usize, within: Duration) {
    let mut seen = 0;
    process.wait_for(&format!("{n} × {message:?}"), within, |line| {
        let event: Value = serde_json::from_str(line).ok()?;
        seen += usize::from(message_is(&event, message));
        (seen == n).then_some(())
    });
}

async fn transactions_of(app: &TestApp, user: i64, account: i64) -> usize {
    moneta_entities::transactions::Entity::find()
        .filter(moneta_entities::transactions::Column::UserId.eq(user))
        .filter(moneta_entities::transactions::Column::AccountId.eq(account))
        .count(&app.db.connect().await)
        .await
        .unwrap() as usize
}

async fn notifications(app: &TestApp, user: i64, kind: &str) -> Vec<String> {
    moneta_entities::notifications::Entity::find()
        .filter(moneta_entities::notifications::Column::UserId.eq(user))
        .filter(moneta_entities::notifications::Column::Kind.eq(kind))
        .all(&app.db.connect().await)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.message)
        .collect()
}

/// A linked account: its user's token and row id, its login, its id.
struct Linked {
    token: String,
    user: i64,
    login: &'static str,
    account: String,
}

/// Links each login for a new user (queueing a sync each).
async fn link_all(api: &TestApp, logins: &[&'static str]) -> Vec<Linked> {
    let (token, _, user_id) = api.signed_up().await;
    let mut linked = Vec::new();
    for login in logins {
        let payload = link(api, &token, login, "pass_good").await;
        let account = payload["account"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{login} links: {payload}"))
            .to_owned();
        linked.push(Linked {
            token: token.clone(),
            user: row_id(&user_id),
            login,
            account,
        });
    }
    linked
}

/// Every account ACTIVE with exactly the sandbox's transactions, each
/// user told of exactly one completed sync per account, the queue empty.
async fn assert_synced_once(api: &TestApp, accounts: &[Linked]) {
    let mut per_user: HashMap<i64, usize> = HashMap::new();
    for a in accounts {
        *per_user.entry(a.user).or_default() += 1;
    }
    // Every sync done first: a user's spending matches their transactions
    // only once none of their accounts is syncing.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mut done = true;
        for (user, n) in &per_user {
            let completed = notifications(api, *user, "SYNC_COMPLETED").await.len();
            assert!(
                completed <= *n,
                "a sync ran twice: {completed} for {n} accounts"
            );
            done &= completed == *n;
        }
        let depth = api.runtime.worker.queue.depth().await.unwrap();
        if done && depth == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "syncs or acks missing (queue depth {depth})"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let today = FixedClock::new(Utc::now());
    for a in accounts {
        wait_for_status(api, &a.token, &a.account, "ACTIVE").await;
        let truth = ground_truth(&today, a.login).await;
        assert_eq!(
            transactions_of(api, a.user, row_id(&a.account)).await,
            truth.len(),
            "{}: what a clean sync stores",
            a.login
        );
    }
}

/// A worker that was sent SIGTERM during a sync, and has exited.
struct Signalled {
    process: Process,
    /// From the signal to the exit.
    took: Duration,
    _slow: Proxy,
    _dir: tempfile::TempDir,
}

/// Starts a worker whose every database round trip takes ≥ 2 × `latency`
/// (so a sync lasts), sends it SIGTERM as soon as a sync has started and
/// waits for its clean exit.
async fn signalled_mid_sync(
    api: &TestApp,
    redis_url: &str,
    latency: Duration,
    concurrency: u32,
    grace: Duration,
) -> Signalled {
    let slow = Proxy::start_with_latency(database_server(api), latency).await;
    let (mut process, dir) = worker(
        api,
        redis_url,
        &database_url_via(api, Some(slow.port)),
        &[
            ("MONETA_WORKER_CONCURRENCY", &concurrency.to_string()),
            ("MONETA_SHUTDOWN_GRACE_SECS", &grace.as_secs().to_string()),
        ],
    );
    wait_for_messages(&mut process, "sync started", 1, Duration::from_secs(180));
    sigterm(&process);
    let signalled = Instant::now();
    assert!(
        process.wait_exit(grace * 2 + Duration::from_secs(30)),
        "a clean exit"
    );
    Signalled {
        process,
        took: signalled.elapsed(),
        _slow: slow,
        _dir: dir,
    }
}

/// SIGTERM while syncs run: the worker takes no new job, lets the ones in
/// flight finish and exits within the grace period; a worker started
/// afterwards does the rest. Nothing is lost, nothing runs twice.
// Multi-threaded: the test thread blocks on the children's output
// while the proxy and the API server run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sigterm_lets_the_syncs_in_flight_finish_and_loses_nothing() {
    let Some(redis_url) =
        cluster_backends("a_sigterm_lets_the_syncs_in_flight_finish_and_loses_nothing")
    else {
        return;
    };
    let api = api().await;
    let mut accounts = link_all(&api, &["alpha", "bravo", "charlie"]).await;
    accounts.extend(link_all(&api, &["delta", "echo", "foxtrot"]).await);

    // Every statement of the first worker takes ≥ 30 ms: a sync lasts
    // about a second, so one is surely running when the signal lands.
    let grace = Duration::from_secs(10);
    let first = signalled_mid_sync(&api, &redis_url, Duration::from_millis(15), 2, grace).await;
    assert!(first.took < grace, "exited {:?} after SIGTERM", first.took);
    let first = &first.process;

    // The log shows a sync that started before the signal and finished
    // after it, and no sync starting after it.
    let log = events(first);
    let signal = log
        .iter()
        .position(|e| message_is(e, "shutting down"))
        .expect("the signal is logged");
    let (before, after) = log.split_at(signal);
    let started = |events: &[Value]| -> Vec<i64> {
        events
            .iter()
            .filter(|e| message_is(e, "sync started"))
            .filter_map(|e| e["account_id"].as_i64())
            .collect()
    };
    let finished = |events: &[Value], account: i64| {
        events
            .iter()
            .any(|e| message_is(e, "sync finished") && e["account_id"] == account)
    };
    let in_flight: Vec<i64> = started(before)
        .into_iter()
        .filter(|&a| !finished(before, a))
        .collect();
    assert!(!in_flight.is_empty(), "no sync was in flight at SIGTERM");
    for account in &in_flight {
        assert!(
            finished(after, *account),
            "the sync of {account} in flight at SIGTERM did not finish"
        );
    }
    // No job taken after the signal: besides those done before it, at
    // most one sync per consumer ever started (one taken just before the
    // signal may log its start just after).
    let done_before = started(before)
        .into_iter()
        .filter(|&a| finished(before, a))
        .count();
    let all_started = started(&log);
    assert!(
        all_started.len() <= 2 + done_before,
        "a job taken after SIGTERM: {all_started:?}"
    );
    for account in &all_started {
        assert!(finished(&log, *account), "{account} did not finish");
    }
    assert!(
        !log.iter().any(|e| e["message"]
            .as_str()
            .is_some_and(|m| m.contains("abandoned"))),
        "nothing abandoned"
    );

    let (_second, _dir) = worker(&api, &redis_url, &database_url_via(&api, None), &[]);
    assert_synced_once(&api, &accounts).await;
}

/// A sync that cannot finish within the grace period is abandoned at the
/// deadline: the worker still exits on time, says which job it left, and
/// leaves it unacknowledged for another worker to reclaim.
// Multi-threaded: the test thread blocks on the children's output
// while the proxy and the API server run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_outlasting_the_grace_period_is_left_for_another_worker() {
    let Some(redis_url) =
        cluster_backends("a_sync_outlasting_the_grace_period_is_left_for_another_worker")
    else {
        return;
    };
    let api = api().await;
    let accounts = link_all(&api, &["golf"]).await;
    // ≥ 200 ms a statement: the sync takes many seconds.
    let grace = Duration::from_secs(1);
    let signalled =
        signalled_mid_sync(&api, &redis_url, Duration::from_millis(100), 1, grace).await;
    assert!(
        signalled.took < grace + Duration::from_secs(4),
        "exited {:?} after SIGTERM",
        signalled.took
    );
    let worker = &signalled.process;
    let account = row_id(&accounts[0].account);
    let log = events(worker);
    let abandoned = log
        .iter()
        .find(|e| {
            e["message"]
                .as_str()
                .is_some_and(|m| m.contains("abandoned"))
        })
        .unwrap_or_else(|| panic!("no abandoned job logged:\n{}", worker.output()));
    assert_eq!(abandoned["account_id"], account, "{abandoned}");
    assert!(
        !log.iter().any(|e| message_is(e, "sync finished")),
        "the sync was cut off"
    );
    // Unacknowledged: another consumer reclaims it (the API's queue
    // reclaims after a second).
    let reclaimed = api
        .runtime
        .worker
        .queue
        .next("rescuer", Duration::from_secs(10))
        .await
        .unwrap()
        .expect("the abandoned job is reclaimed");
    assert_eq!(reclaimed.job.account_id, account);
    assert_eq!(reclaimed.deliveries, 2);
    assert_eq!(abandoned["id"], reclaimed.id.as_str());
}

/// Jobs whose every delivery fails (the raw page store is a file, not a
/// directory) end in the dead letters with their error, their accounts in
/// ERROR; `jobs dead-letter list` shows them, `retry` queues them again
/// for a healthy worker, once, and refuses ids that name none.
// Multi-threaded: the test thread blocks on the children's output
// while the proxy and the API server run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_that_keep_failing_are_dead_lettered_listed_and_retried() {
    let Some(redis_url) =
        cluster_backends("jobs_that_keep_failing_are_dead_lettered_listed_and_retried")
    else {
        return;
    };
    let api = api().await;
    let accounts = link_all(&api, &["user_good", "user_other"]).await;
    let user = accounts[0].user;
    let not_a_directory = tempfile::NamedTempFile::new().unwrap();
    let store = format!("file://{}", not_a_directory.path().display());
    let (mut broken, _dir) = worker(
        &api,
        &redis_url,
        &database_url_via(&api, None),
        &[
            ("MONETA_OBJECT_STORE_URL", &store),
            ("MONETA_QUEUE_MAX_DELIVERIES", "2"),
            ("MONETA_QUEUE_RECLAIM_SECS", "1"),
            ("MONETA_WORKER_CONCURRENCY", "1"),
        ],
    );
    let addr = broken.serving_addr(Duration::from_secs(60));
    wait_for_messages(
        &mut broken,
        "sync job dead-lettered (moneta jobs dead-letter list)",
        2,
        Duration::from_secs(60),
    );
    for a in &accounts {
        wait_for_status(&api, &a.token, &a.account, "ERROR").await;
    }
    let metrics = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics
            .lines()
            .any(|l| l == "moneta_jobs_dead_lettered_total 2"),
        "{metrics}"
    );
    drop(broken);
    assert_eq!(
        notifications(&api, user, "SYNC_FAILED").await,
        [ABANDONED_MESSAGE, ABANDONED_MESSAGE]
    );

    let (ok, lines, said) = dead_letter_cli(&api, &redis_url, &["list"]);
    assert!(ok, "{said}");
    assert_eq!(lines.len(), 2, "one line per dead job:\n{said}");
    let mut ids = Vec::new();
    for a in &accounts {
        let account = format!(" account_id={} ", row_id(&a.account));
        let line = lines
            .iter()
            .find(|l| l.contains(&account))
            .unwrap_or_else(|| panic!("no line for {account}:\n{said}"));
        let id = line.split(' ').next().unwrap().to_owned();
        for part in [
            format!(" user_id={user} "),
            " reason=link ".to_owned(),
            " deliveries=2 ".to_owned(),
            " last_error=\"object storage error".to_owned(),
        ] {
            assert!(line.contains(&part), "{part} not in {line}");
        }
        assert!(!line.contains("pass_good"), "{line}");
        ids.push(id);
    }

    // Ids that name no dead letter, and retry without saying which.
    for bad in ["nonsense", "0-1", "1"] {
        let (ok, _, said) = dead_letter_cli(&api, &redis_url, &["retry", bad]);
        assert!(!ok, "retry {bad} succeeded: {said}");
        assert!(
            said.contains(&format!("no dead-letter job with id {bad:?}")),
            "{said}"
        );
    }
    for args in [&["retry"][..], &["retry", &ids[0], "--all"]] {
        let (ok, _, said) = dead_letter_cli(&api, &redis_url, args);
        assert!(!ok, "{args:?} succeeded: {said}");
        assert!(said.contains("Usage"), "{said}");
    }
    let (ok, lines, _) = dead_letter_cli(&api, &redis_url, &["list"]);
    assert!(
        ok && lines.len() == 2,
        "the refused retries changed nothing"
    );

    // A healthy worker; one job retried by id, the other with --all.
    let (_healthy, _dir) = worker(&api, &redis_url, &database_url_via(&api, None), &[]);
    let (ok, lines, said) = dead_letter_cli(&api, &redis_url, &["retry", &ids[0]]);
    assert!(ok, "{said}");
    assert_eq!(lines, [format!("requeued {}", ids[0])]);
    wait_for_status(&api, &accounts[0].token, &accounts[0].account, "ACTIVE").await;
    let (ok, _, said) = dead_letter_cli(&api, &redis_url, &["retry", &ids[0]]);
    assert!(!ok, "retried twice: {said}");
    let (ok, lines, said) = dead_letter_cli(&api, &redis_url, &["retry", "--all"]);
    assert!(ok, "{said}");
    assert_eq!(
        lines,
        [
            format!("requeued {}", ids[1]),
            "1 dead-letter jobs requeued".to_owned()
        ]
    );
    assert_synced_once(&api, &accounts).await;
    let (ok, lines, said) = dead_letter_cli(&api, &redis_url, &["list"]);
    assert!(ok && lines.is_empty(), "{said}");
    assert!(said.contains("no dead-letter jobs"), "{said}");
}

/// Without Redis there are no dead letters to reach: the embedded
/// default keeps its own inside the serving process.
#[test]
fn the_dead_letter_commands_need_redis() {
    for args in [&["list"][..], &["retry", "1-0"], &["retry", "--all"]] {
        let mut command = process::moneta();
        command.args(["jobs", "dead-letter"]).args(args);
        let mut cli = Process::spawn(command);
        assert!(
            !cli.wait_exit(Duration::from_secs(60)),
            "{args:?} succeeded"
        );
        assert!(
            cli.output().contains("MONETA_REDIS_URL"),
            "{}",
            cli.output()
        );
    }
}

/// The same on whichever backends the suite runs (the embedded default's
/// in-process queue without Redis): the job is dead-lettered with its
/// error and counted, its account set to ERROR.
#[tokio::test]
async fn a_job_that_keeps_failing_is_dead_lettered_and_its_account_says_error() {
    let not_a_directory = tempfile::NamedTempFile::new().unwrap();
    let store = format!("file://{}", not_a_directory.path().display());
    let app = TestApp::spawn_with(Options {
        tweak: Some(Box::new(move |s| {
            s.object_store_url = Some(store);
            s.queue_max_deliveries = 2;
        })),
        ..Default::default()
    })
    .await;
    let accounts = link_all(&app, &["user_good"]).await;
    let a = &accounts[0];
    wait_for_status(&app, &a.token, &a.account, "ERROR").await;
    let dead = app.runtime.worker.queue.dead_letters().await.unwrap();
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0].job.account_id, row_id(&a.account));
    assert_eq!(dead[0].deliveries, 2);
    let error = dead[0].last_error.as_deref().unwrap_or_default();
    assert!(error.starts_with("object storage error"), "{error}");
    assert_eq!(app.metric("moneta_jobs_dead_lettered_total").await, 1.0);
    assert_eq!(app.runtime.worker.queue.depth().await.unwrap(), 0);
    assert_eq!(
        notifications(&app, a.user, "SYNC_FAILED").await,
        [ABANDONED_MESSAGE]
    );
}

/// Only an account still SYNCING is marked, once; any other status, an
/// unknown account and another user's account are left alone.
#[tokio::test]
async fn only_a_syncing_account_is_marked_abandoned() {
    let db = TestDb::new().await;
    let conn = db.connect().await;
    let ids = IdGenerator::new();
    let (user, other_user) = (ids.next_id(), ids.next_id());
    let (syncing, active) = (ids.next_id(), ids.next_id());
    insert_account(&conn, user, syncing).await;
    insert_account(&conn, user, active).await;
    moneta_entities::accounts::Entity::update_many()
        .col_expr(
            moneta_entities::accounts::Column::Status,
            sea_orm::sea_query::Expr::value("SYNCING"),
        )
        .filter(moneta_entities::accounts::Column::UserId.eq(user))
        .filter(moneta_entities::accounts::Column::Id.eq(syncing))
        .exec(&conn)
        .await
        .unwrap();
    let now = Utc::now();
    let mark = |user: i64, account: i64| {
        let (conn, ids) = (&conn, &ids);
        async move {
            mark_sync_abandoned(conn, ids, UserId::new(user), account, now)
                .await
                .unwrap()
        }
    };
    assert!(!mark(other_user, syncing).await, "another user's account");
    assert!(!mark(user, active).await, "an ACTIVE account");
    assert!(!mark(user, ids.next_id()).await, "an unknown account");
    assert!(mark(user, syncing).await);
    assert!(!mark(user, syncing).await, "already marked");

    let status = |account: i64| {
        let conn = &conn;
        async move {
            moneta_entities::accounts::Entity::find()
                .filter(moneta_entities::accounts::Column::UserId.eq(user))
                .filter(moneta_entities::accounts::Column::Id.eq(account))
                .one(conn)
                .await
                .unwrap()
                .unwrap()
                .status
        }
    };
    assert_eq!(status(syncing).await, "ERROR");
    assert_eq!(status(active).await, "ACTIVE");
    let stored = moneta_entities::notifications::Entity::find()
        .filter(moneta_entities::notifications::Column::UserId.eq(user))
        .all(&conn)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        (stored[0].kind.as_str(), stored[0].message.as_str()),
        ("SYNC_FAILED", ABANDONED_MESSAGE)
    );
    assert!(
        moneta_entities::notifications::Entity::find()
            .filter(moneta_entities::notifications::Column::UserId.eq(other_user))
            .count(&conn)
            .await
            .unwrap()
            == 0
    );
}
