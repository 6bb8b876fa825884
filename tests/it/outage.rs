//! Outages of a dependency while the server runs: what it keeps serving,
//! what it refuses and how, what readiness says, and that it recovers on
//! its own, without a restart.
//!
//! Each test runs its own `redis-server` (and `mariadbd`) so it can stop
//! them; MariaDB is required (`MONETA_TEST_DATABASE_URL`).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use moneta_core::clock::FixedClock;
use moneta_platform::config::Role;
use reqwest::StatusCode;
use sea_orm::ConnectionTrait as _;
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::harness::TestApp;
use crate::harness::app::{Options, PASSWORD};
use crate::harness::db::required_mysql;
use crate::harness::private_mariadb::PrivateMariaDb;
use crate::harness::private_redis::PrivateRedis;
use crate::harness::process::{self, Process};
use crate::sync::{LINK, day, linked_account};

/// How long Redis stays away.
const OUTAGE: Duration = Duration::from_secs(20);
/// The month of `day(20)`.
const MONTH: &str = "2026-11";

const BUDGET: &str =
    "query($m: Month!) { budget(month: $m) { categories { category budgeted spent status } } }";
const SPENDING: &str = "query($m: Month!) { monthlySpending(month: $m) { category amount } }";
const TRANSACTIONS: &str =
    "query { transactions(first: 20) { edges { node { id category categorySource } } } }";
const NOTIFICATIONS: &str =
    "query { notifications(first: 100) { edges { node { id kind category month } } } }";
const ACCOUNTS: &str = "query { accounts { id login status lastSyncedAt } }";
const SET_BUDGET: &str = "mutation($input: SetBudgetInput!) { setBudget(input: $input) { budget { categories { category budgeted status } } userErrors { code } } }";
const RECATEGORIZE: &str = "mutation($input: SetTransactionCategoryInput!) { setTransactionCategory(input: $input) { transaction { id category } userErrors { code } } }";
const ACCOUNT_SYNCED: &str = "subscription { accountSynced { account { id status } } }";
const REFRESH: &str = "mutation($input: RefreshAccountInput!) { refreshAccount(input: $input) { account { id status } userErrors { code } } }";

/// A server of `role` on the Redis at `redis_url`; with `primary`, a
/// replica of it (its database, Redis prefix and keys).
async fn server(
    redis_url: &str,
    clock: &FixedClock,
    role: Role,
    primary: Option<&TestApp>,
) -> TestApp {
    let url = redis_url.to_owned();
    let keys = primary.map(|p| (p.jwt_secret.clone(), p.credentials_key.clone()));
    TestApp::spawn_with(Options {
        db: primary.map(|p| p.db.clone()),
        redis_prefix: primary.map(|p| p.redis_prefix.clone()),
        clock: Some(clock.clone()),
        tweak: Some(Box::new(move |s| {
            s.role = role;
            s.redis_url = Some(SecretString::from(url));
            // The load loop reads and writes as fast as it can, far past
            // a person's cost budget: this measures outages, not limits.
            s.edge.cost_drain_per_sec = 1_000_000;
            if let Some((jwt, key)) = keys {
                s.jwt_secret = Some(SecretString::from(jwt));
                s.credentials_key = Some(SecretString::from(key));
            }
        })),
    })
    .await
}

/// `/readyz`: its status, `ready` and `degraded`.
async fn readiness(app: &TestApp) -> (StatusCode, Value) {
    let response = app.get("/readyz").await;
    let status = response.status();
    let body: Value = response.json().await.expect("readyz is JSON");
    (status, body)
}

/// Waits until `/readyz` answers `status` with `degraded`; when
/// `serves_traffic`, every answer on the way must be 200 (a replica that
/// serves the API never leaves its Service over Redis).
async fn wait_for_readiness(
    app: &TestApp,
    serves_traffic: bool,
    status: StatusCode,
    degraded: &[&str],
) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (got, body) = readiness(app).await;
        if serves_traffic {
            assert_eq!(got, StatusCode::OK, "an API replica left readiness: {body}");
        }
        if got == status && body["degraded"] == json!(degraded) {
            assert_eq!(body["ready"], status == StatusCode::OK, "{body}");
            return;
        }
        assert!(
            Instant::now() < deadline,
            "/readyz never became {status} degraded by {degraded:?}: {got} {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

/// Asserts the answer is the clear, retryable refusal of a sync that
/// cannot be queued: HTTP 200, UNAVAILABLE, no data.
fn assert_unavailable(status: StatusCode, body: &Value, field: &str) {
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(code(body), "UNAVAILABLE", "{body}");
    assert_eq!(
        body["errors"][0]["message"],
        "syncing is unavailable right now; try again shortly"
    );
    assert_eq!(body["errors"][0]["path"], json!([field]), "{body}");
}

/// What a loop of reads and writes saw.
#[derive(Debug, Default)]
struct Traffic {
    /// Answers with an HTTP 5xx.
    server_errors: Vec<String>,
    /// Reads and writes answered with errors.
    failures: Vec<String>,
    /// The last acknowledged budget per category.
    budgets: HashMap<String, String>,
    /// The last acknowledged category per transaction.
    overrides: HashMap<String, String>,
    /// Writes acknowledged while Redis was stopped.
    writes_during_outage: usize,
}

impl Traffic {
    /// Records one answer; whether it succeeded.
    fn answered(&mut self, what: &str, status: StatusCode, body: &Value) -> bool {
        if status.is_server_error() {
            self.server_errors.push(format!("{what}: {status} {body}"));
        }
        let ok = status == StatusCode::OK && body.get("errors").is_none();
        if !ok {
            self.failures.push(format!("{what}: {status} {body}"));
        }
        ok
    }

    /// Records the answer to mutation `what`; whether it was acknowledged
    /// (no error, no user error).
    fn acknowledged(&mut self, what: &str, status: StatusCode, body: &Value) -> bool {
        self.answered(what, status, body) && body["data"][what]["userErrors"] == json!([])
    }
}

/// What the loop reads and writes.
struct Load {
    app: Arc<TestApp>,
    token: String,
    /// Categories whose budget it sets.
    budgets: Vec<String>,
    /// Transactions it recategorizes, and the categories it gives them.
    transactions: Vec<String>,
    categories: Vec<String>,
    /// Rounds done.
    rounds: Arc<AtomicUsize>,
    redis_down: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
}

/// Reads (budget, spending, transactions, notifications) and writes
/// (a budget, a category override) in a loop until told to stop.
async fn run(load: Load) -> Traffic {
    let mut seen = Traffic::default();
    let mut round = 0usize;
    let month = json!({ "m": MONTH });
    while !load.stop.load(Ordering::SeqCst) {
        for (what, query, variables) in [
            ("budget", BUDGET, &month),
            ("monthlySpending", SPENDING, &month),
            ("transactions", TRANSACTIONS, &json!({})),
            ("notifications", NOTIFICATIONS, &json!({})),
        ] {
            let (status, body) = load
                .app
                .graphql_raw(Some(&load.token), query, variables.clone())
                .await;
            seen.answered(what, status, &body);
        }
        let down = load.redis_down.load(Ordering::SeqCst);

        let category = &load.budgets[round % load.budgets.len()];
        let amount = format!("{}.{:02}", 400 + round, round % 100);
        let input = json!({ "input": { "category": category, "amount": amount } });
        let (status, body) = load
            .app
            .graphql_raw(Some(&load.token), SET_BUDGET, input)
            .await;
        if seen.acknowledged("setBudget", status, &body) {
            seen.budgets.insert(category.clone(), amount);
            seen.writes_during_outage += usize::from(down);
        }

        let transaction = &load.transactions[round % load.transactions.len()];
        let category = &load.categories[round % load.categories.len()];
        let input = json!({ "input": { "transactionId": transaction, "category": category } });
        let (status, body) = load
            .app
            .graphql_raw(Some(&load.token), RECATEGORIZE, input)
            .await;
        if seen.acknowledged("setTransactionCategory", status, &body) {
            seen.overrides.insert(transaction.clone(), category.clone());
            seen.writes_during_outage += usize::from(down);
        }
        round += 1;
        load.rounds.store(round, Ordering::SeqCst);
    }
    seen
}

/// With Redis away: linking (a new login, and the one linked already) and
/// refreshing need the queue, so each is a clear, retryable refusal within
/// a bounded time that leaves the accounts as they were — `synced`, the
/// one account, not SYNCING.
async fn syncing_is_refused_and_changes_nothing(app: &TestApp, token: &str, synced: &Value) {
    assert_eq!(synced["status"], "ACTIVE", "{synced}");
    let started = Instant::now();
    let login = synced["login"].as_str().expect("login");
    for login in [&format!("{login}_second"), login] {
        let input = json!({ "input": { "institution": "sandbox", "login": login, "password": "pass_good" } });
        let (status, body) = app.graphql_raw(Some(token), LINK, input).await;
        assert_unavailable(status, &body, "linkAccount");
    }
    let input = json!({ "input": { "accountId": synced["id"] } });
    let (status, body) = app.graphql_raw(Some(token), REFRESH, input).await;
    assert_unavailable(status, &body, "refreshAccount");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "refusals took {:?}",
        started.elapsed()
    );
    let accounts = query(app, token, ACCOUNTS, json!({})).await;
    assert_eq!(
        accounts["accounts"],
        json!([synced]),
        "an account was left linked or SYNCING"
    );
}

async fn query(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let (status, body) = app.graphql_raw(Some(token), query, variables).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

fn timestamp(value: &Value) -> DateTime<Utc> {
    value
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| panic!("not a timestamp: {value}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_redis_outage_degrades_the_api_instead_of_stopping_it_and_it_recovers_alone() {
    let test = "a_redis_outage_degrades_the_api_instead_of_stopping_it_and_it_recovers_alone";
    if !required_mysql(test) {
        return;
    }
    let Some(mut redis) = PrivateRedis::start(test) else {
        return;
    };
    let clock = FixedClock::new(day(20));
    let app = Arc::new(server(&redis.url(), &clock, Role::All, None).await);
    let api = server(&redis.url(), &clock, Role::Api, Some(&app)).await;
    let worker = server(&redis.url(), &clock, Role::Worker, Some(&app)).await;

    let email = format!("outage-{}@example.com", uuid::Uuid::new_v4().simple());
    let registered = app.register(&email, PASSWORD).await;
    let token = registered["accessToken"]
        .as_str()
        .expect("registered")
        .to_owned();
    let account = linked_account(&app, &token, "user_outage").await;
    let synced = query(&app, &token, ACCOUNTS, json!({})).await["accounts"][0].clone();
    let first_sync = timestamp(&synced["lastSyncedAt"]);

    for server in [&*app, &api, &worker] {
        wait_for_readiness(server, true, StatusCode::OK, &[]).await;
    }
    let up = "moneta_dependency_up{dependency=\"redis\",required=\"false\"}";
    let worker_up = "moneta_dependency_up{dependency=\"redis\",required=\"true\"}";
    let database_up = "moneta_dependency_up{dependency=\"database\",required=\"true\"}";
    assert_eq!(app.metric(up).await, 1.0);
    assert_eq!(worker.metric(worker_up).await, 1.0);

    // The category whose alert the outage raises: money spent, no alert yet.
    let before = query(&app, &token, BUDGET, json!({ "m": MONTH })).await;
    let lines = before["budget"]["categories"].as_array().expect("lines");
    let spent = |l: &Value| {
        l["spent"]
            .as_str()
            .and_then(|s| s.parse::<f64>().ok())
            .is_some_and(|spent| spent > 0.0)
    };
    let alerted = lines
        .iter()
        .find(|l| spent(l) && l["status"] != "EXCEEDED")
        .unwrap_or_else(|| panic!("a category with spending and no alert: {before}"))["category"]
        .as_str()
        .expect("category")
        .to_owned();
    let others: Vec<String> = lines
        .iter()
        .filter_map(|l| l["category"].as_str())
        .filter(|c| *c != alerted)
        .map(str::to_owned)
        .collect();
    let page = query(&app, &token, TRANSACTIONS, json!({})).await;
    let transactions: Vec<String> = page["transactions"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| &e["node"])
        .filter(|n| n["category"] != alerted.as_str())
        .filter_map(|n| n["id"].as_str().map(str::to_owned))
        .take(6)
        .collect();
    assert!(!transactions.is_empty(), "{page}");

    let rounds = Arc::new(AtomicUsize::new(0));
    let redis_down = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let traffic = tokio::spawn(run(Load {
        app: app.clone(),
        token: token.clone(),
        budgets: others.iter().take(4).cloned().collect(),
        transactions,
        categories: others.iter().skip(4).take(3).cloned().collect(),
        rounds: rounds.clone(),
        redis_down: redis_down.clone(),
        stop: stop.clone(),
    }));
    let deadline = Instant::now() + Duration::from_secs(20);
    while rounds.load(Ordering::SeqCst) < 2 {
        assert!(Instant::now() < deadline, "no traffic before the outage");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Redis goes away.
    redis.stop();
    redis_down.store(true, Ordering::SeqCst);
    let outage = Instant::now();

    // Replicas that serve the API stay in their Service, saying why they
    // are degraded; the worker, which can do nothing, is not ready.
    wait_for_readiness(&app, true, StatusCode::OK, &["redis"]).await;
    wait_for_readiness(&api, true, StatusCode::OK, &["redis"]).await;
    wait_for_readiness(&worker, false, StatusCode::SERVICE_UNAVAILABLE, &[]).await;
    assert_eq!(app.metric(up).await, 0.0);
    assert_eq!(app.metric(database_up).await, 1.0);
    assert_eq!(worker.metric(worker_up).await, 0.0);

    syncing_is_refused_and_changes_nothing(&app, &token, &synced).await;

    // A write that raises an alert: stored, and listed afterwards.
    let input = json!({ "input": { "category": alerted, "amount": "0.01" } });
    let set = query(&app, &token, SET_BUDGET, input).await;
    let line = set["setBudget"]["budget"]["categories"]
        .as_array()
        .expect("lines")
        .iter()
        .find(|l| l["category"] == alerted.as_str())
        .cloned()
        .expect("the category");
    assert_eq!(line["status"], "EXCEEDED", "{set}");

    // Signing in still works: its limits count in this process meanwhile.
    let login = app.login(&email, PASSWORD).await;
    assert!(login["accessToken"].is_string(), "{login}");

    // The outage lasts; readiness holds throughout.
    while outage.elapsed() < OUTAGE {
        for server in [&*app, &api] {
            let (status, body) = readiness(server).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body["degraded"], json!(["redis"]), "{body}");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    // Redis comes back, empty; the server recovers without a restart.
    redis.resume();
    redis_down.store(false, Ordering::SeqCst);
    for server in [&*app, &api] {
        wait_for_readiness(server, true, StatusCode::OK, &[]).await;
    }
    wait_for_readiness(&worker, false, StatusCode::OK, &[]).await;
    assert_eq!(app.metric(up).await, 1.0);
    clock.advance(chrono::Duration::minutes(1));
    // A refresh is queued and carried out, and its result reaches a
    // socket on the other replica through Redis again. A subscription
    // registers asynchronously: refresh until one lands.
    let mut socket = api.ws().await;
    socket.init_as(&token).await;
    socket.subscribe("1", ACCOUNT_SYNCED).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let event = loop {
        let input = json!({ "input": { "accountId": account } });
        let (status, body) = app.graphql_raw(Some(&token), REFRESH, input).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if body.get("errors").is_none() {
            if let Some(event) = socket.try_next_message(Duration::from_secs(2)).await {
                break event;
            }
        } else {
            assert_eq!(code(&body), "UNAVAILABLE", "{body}");
        }
        assert!(
            Instant::now() < deadline,
            "no refresh was queued and announced: {body}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(
        event["payload"]["data"]["accountSynced"]["account"]["id"],
        account.as_str(),
        "{event}"
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let accounts = query(&app, &token, ACCOUNTS, json!({})).await;
        let account = &accounts["accounts"][0];
        if account["status"] == "ACTIVE" && timestamp(&account["lastSyncedAt"]) > first_sync {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the refresh was never carried out: {accounts}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    stop.store(true, Ordering::SeqCst);
    let seen = traffic.await.expect("traffic loop");
    assert_eq!(seen.server_errors, Vec::<String>::new(), "HTTP 5xx answers");
    assert_eq!(
        seen.failures,
        Vec::<String>::new(),
        "reads or writes failed"
    );
    assert!(
        seen.writes_during_outage > 0,
        "no write was acknowledged during the outage"
    );

    // Every acknowledged write is there.
    let budget = query(&app, &token, BUDGET, json!({ "m": MONTH })).await;
    let budgeted: HashMap<String, String> = budget["budget"]["categories"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| {
            (
                l["category"].as_str().unwrap_or("").to_owned(),
                l["budgeted"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    for (category, amount) in &seen.budgets {
        assert_eq!(budgeted.get(category), Some(amount), "{category}: {budget}");
    }
    assert_eq!(budgeted.get(&alerted).map(String::as_str), Some("0.01"));
    for (transaction, category) in &seen.overrides {
        let node = query(
            &app,
            &token,
            "query($id: ID!) { node(id: $id) { ... on Transaction { category categorySource } } }",
            json!({ "id": transaction }),
        )
        .await;
        assert_eq!(node["node"]["category"], category.as_str(), "{node}");
        assert_eq!(node["node"]["categorySource"], "USER", "{node}");
    }
    let notifications = query(&app, &token, NOTIFICATIONS, json!({})).await;
    let exceeded = notifications["notifications"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .any(|e| {
            e["node"]["kind"] == "BUDGET_EXCEEDED"
                && e["node"]["category"] == alerted.as_str()
                && e["node"]["month"] == MONTH
        });
    assert!(
        exceeded,
        "the alert raised during the outage is not listed: {notifications}"
    );
}

/// The bank login stored for `account`, sealed.
async fn sealed_credentials(app: &TestApp, user: &str, account: &str) -> Vec<u8> {
    use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};
    let id = crate::harness::fixtures::row_id(account);
    let user = crate::harness::fixtures::row_id(user);
    let rows = moneta_entities::accounts::Entity::find()
        .filter(moneta_entities::accounts::Column::UserId.eq(user))
        .all(&app.db.connect().await)
        .await
        .expect("accounts");
    rows.into_iter()
        .find(|r| r.id == id)
        .map(|r| r.credentials_ciphertext)
        .expect("the account's row")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_that_cannot_be_queued_links_nothing_and_answers_unavailable() {
    let Some(mut redis) =
        PrivateRedis::start("a_sync_that_cannot_be_queued_links_nothing_and_answers_unavailable")
    else {
        return;
    };
    let clock = FixedClock::new(day(20));
    let app = server(&redis.url(), &clock, Role::All, None).await;
    let (token, _, user) = app.signed_up().await;
    let account = linked_account(&app, &token, "user_unqueued").await;
    let synced = query(&app, &token, ACCOUNTS, json!({})).await["accounts"][0].clone();
    let credentials = sealed_credentials(&app, &user, &account).await;

    redis.stop();
    syncing_is_refused_and_changes_nothing(&app, &token, &synced).await;
    // Relinking put the credentials it had sealed back as they were.
    assert_eq!(sealed_credentials(&app, &user, &account).await, credentials);
}

/// The shipped binary, as a client reaches it.
struct Remote {
    http: reqwest::Client,
    base: String,
}

impl Remote {
    /// A GraphQL request; with an empty `token`, as an anonymous caller.
    async fn graphql(&self, token: &str, query: &str, variables: Value) -> (StatusCode, Value) {
        let mut request = self
            .http
            .post(format!("{}/graphql", self.base))
            .json(&json!({ "query": query, "variables": variables }));
        if !token.is_empty() {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        (status, response.json().await.expect("a JSON body"))
    }

    async fn readyz(&self) -> (StatusCode, Value) {
        let response = self
            .http
            .get(format!("{}/readyz", self.base))
            .send()
            .await
            .expect("the server answers");
        let status = response.status();
        (status, response.json().await.expect("a JSON body"))
    }

    /// Waits until `/readyz` answers `status`.
    async fn wait_for_readiness(&self, status: StatusCode, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let (got, body) = self.readyz().await;
            if got == status {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "/readyz never became {status}: {got} {body}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The caller's one account, once it is ACTIVE and synced after
    /// `after`.
    async fn synced_account(&self, token: &str, after: Option<DateTime<Utc>>) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let (_, body) = self.graphql(token, ACCOUNTS, json!({})).await;
            let account = &body["data"]["accounts"][0];
            let synced = account["lastSyncedAt"].is_string()
                && after.is_none_or(|after| timestamp(&account["lastSyncedAt"]) > after);
            if account["status"] == "ACTIVE" && synced {
                return account.clone();
            }
            assert!(
                Instant::now() < deadline,
                "the account never synced: {body}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// `moneta serve --role all` on `database_url` and `redis_url`.
fn moneta_serving(database_url: &str, redis_url: &str, data_dir: &std::path::Path) -> Process {
    let mut command = process::moneta();
    command
        .args(["serve", "--role", "all"])
        .env("MONETA_LISTEN", "127.0.0.1:0")
        .env("MONETA_DATA_DIR", data_dir)
        .env("MONETA_DATABASE_URL", database_url)
        .env("MONETA_DATABASE_MAX_CONNECTIONS", "4")
        .env("MONETA_REDIS_URL", redis_url)
        .env(
            "MONETA_JWT_SECRET",
            "jwt-secret-of-the-restart-test-0123456789",
        )
        .env(
            "MONETA_CREDENTIALS_KEY",
            "credentials-key-of-the-restart-test-0123",
        )
        .env("MONETA_PASSWORD_HASH_CONCURRENCY", "1")
        .env("MONETA_QUEUE_RECLAIM_SECS", "1");
    Process::spawn(command)
}

/// Every recategorization the loop tried, in order, and whether it was
/// acknowledged.
type Attempts = Vec<(String, String, bool)>;

/// Recategorizes `transactions` in turn (each to a category other than
/// its last one) until `stop`; counts acknowledgements in `acked`.
async fn recategorize(
    remote: Arc<Remote>,
    token: String,
    transactions: Vec<String>,
    acked: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
) -> (Attempts, Vec<String>) {
    let categories = ["HEALTH", "TRAVEL", "ENTERTAINMENT"];
    let mut attempts = Attempts::new();
    let mut server_errors = Vec::new();
    let mut n = 0usize;
    while !stop.load(Ordering::SeqCst) {
        let transaction = &transactions[n % transactions.len()];
        let category = categories[(n / transactions.len()) % categories.len()];
        let input = json!({ "input": { "transactionId": transaction, "category": category } });
        let (status, body) = remote.graphql(&token, RECATEGORIZE, input).await;
        if status.is_server_error() {
            server_errors.push(format!("{status} {body}"));
        }
        let ok = status == StatusCode::OK
            && body.get("errors").is_none()
            && body["data"]["setTransactionCategory"]["userErrors"] == json!([]);
        attempts.push((transaction.clone(), category.to_owned(), ok));
        if ok {
            acked.fetch_add(1, Ordering::SeqCst);
        }
        n += 1;
    }
    (attempts, server_errors)
}

/// Waits until `counter` reaches `at_least`.
async fn wait_for_count(counter: &AtomicUsize, at_least: usize, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while counter.load(Ordering::SeqCst) < at_least {
        assert!(Instant::now() < deadline, "{what}: never {at_least}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mariadb_crash_loses_no_acknowledged_write_and_the_server_recovers_alone() {
    let test = "a_mariadb_crash_loses_no_acknowledged_write_and_the_server_recovers_alone";
    if !required_mysql(test) {
        return;
    }
    let Some(redis) = PrivateRedis::start(test) else {
        return;
    };
    let mut mariadb = PrivateMariaDb::start();
    mariadb.wait_until_it_answers().await;
    let admin = sea_orm::Database::connect(mariadb.server_url())
        .await
        .expect("the private MariaDB");
    admin
        .execute_unprepared("CREATE DATABASE moneta CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
        .await
        .expect("create the database");
    admin.close().await.expect("close");
    let database_url = format!("{}/moneta", mariadb.server_url());
    let mut settings = moneta_platform::config::Settings::defaults();
    settings.database_url = Some(SecretString::from(database_url.clone()));
    settings.database_max_connections = 1;
    moneta::migrate(&settings).await.expect("migrations apply");

    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut server = moneta_serving(&database_url, &redis.url(), data_dir.path());
    let addr = server.serving_addr(Duration::from_secs(120));
    let remote = Arc::new(Remote {
        http: reqwest::Client::new(),
        base: format!("http://{addr}"),
    });

    let email = format!("restart-{}@example.com", uuid::Uuid::new_v4().simple());
    let (_, body) = remote
        .graphql(
            "",
            crate::harness::app::REGISTER,
            json!({ "input": { "email": email, "password": PASSWORD } }),
        )
        .await;
    let token = body["data"]["register"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("registered: {body}"))
        .to_owned();
    let input = json!({ "input": { "institution": "sandbox", "login": "user_restart", "password": "pass_good" } });
    let (_, linked) = remote.graphql(&token, LINK, input).await;
    assert!(
        linked["data"]["linkAccount"]["account"]["id"].is_string(),
        "{linked}"
    );
    let account = remote.synced_account(&token, None).await;
    let (_, page) = remote.graphql(&token, TRANSACTIONS, json!({})).await;
    let transactions: Vec<String> = page["data"]["transactions"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter_map(|e| e["node"]["id"].as_str().map(str::to_owned))
        .take(5)
        .collect();
    assert!(!transactions.is_empty(), "{page}");

    let acked = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let traffic = tokio::spawn(recategorize(
        remote.clone(),
        token.clone(),
        transactions,
        acked.clone(),
        stop.clone(),
    ));
    wait_for_count(&acked, 5, "writes acknowledged before the crash").await;

    // MariaDB dies under the writes, and comes back on the same data.
    mariadb.crash();
    remote
        .wait_for_readiness(StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(20))
        .await;
    let (_, body) = remote.readyz().await;
    assert_eq!(body["checks"][0]["name"], "database", "{body}");
    assert_eq!(body["checks"][0]["ok"], false, "{body}");
    mariadb.resume();
    mariadb.wait_until_it_answers().await;
    remote
        .wait_for_readiness(StatusCode::OK, Duration::from_secs(60))
        .await;
    let after_restart = acked.load(Ordering::SeqCst);
    wait_for_count(
        &acked,
        after_restart + 5,
        "writes acknowledged after the restart",
    )
    .await;
    stop.store(true, Ordering::SeqCst);
    let (attempts, server_errors) = traffic.await.expect("traffic loop");
    assert_eq!(
        server_errors,
        Vec::<String>::new(),
        "HTTP 5xx from /graphql"
    );

    // A refresh asked now is carried out by the same process's workers.
    let before = timestamp(&account["lastSyncedAt"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let input = json!({ "input": { "accountId": account["id"] } });
        let (status, body) = remote.graphql(&token, REFRESH, input).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if body.get("errors").is_none() {
            break;
        }
        assert!(Instant::now() < deadline, "refresh never accepted: {body}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    remote.synced_account(&token, Some(before)).await;

    // Every acknowledged write is there: each transaction holds its last
    // acknowledged category, or one asked after it whose answer was lost.
    for transaction in attempts
        .iter()
        .map(|(t, _, _)| t)
        .collect::<std::collections::BTreeSet<_>>()
    {
        let tried: Vec<(&str, bool)> = attempts
            .iter()
            .filter(|(t, _, _)| t == transaction)
            .map(|(_, c, ok)| (c.as_str(), *ok))
            .collect();
        let Some(last_ack) = tried.iter().rposition(|(_, ok)| *ok) else {
            continue;
        };
        let (_, node) = remote
            .graphql(
                &token,
                "query($id: ID!) { node(id: $id) { ... on Transaction { category } } }",
                json!({ "id": transaction }),
            )
            .await;
        let stored = node["data"]["node"]["category"].as_str().unwrap_or("");
        assert!(
            tried[last_ack..].iter().any(|(c, _)| *c == stored),
            "{transaction} holds {stored}; tried {tried:?}"
        );
    }
    drop(server);
}
