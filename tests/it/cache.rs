//! The read cache (budget, monthly spending, first page of transactions):
//! a repeated read is a cache hit; every kind of write is seen by the very
//! next read; with Redis cut away the API keeps answering from the
//! database.

use std::time::Duration;

use moneta_core::clock::FixedClock;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::harness::app::Options;
use crate::harness::proxy::Proxy;
use crate::sync::{app_at, day, linked_account};

const READS: &str = "query($m: Month!) {
  budget(month: $m) { monthlyIncome incomeSource categories { category budgeted spent source } }
  monthlySpending(month: $m) { category amount }
  transactions(first: 20) { edges { node { id category amount postedAt account { id } } } }
}";
const SET_CATEGORY: &str = "mutation($input: SetTransactionCategoryInput!) { setTransactionCategory(input: $input) { userErrors { code } } }";
const SET_INCOME: &str =
    "mutation($input: SetIncomeInput!) { setIncome(input: $input) { userErrors { code } } }";
const SET_BUDGET: &str =
    "mutation($input: SetBudgetInput!) { setBudget(input: $input) { userErrors { code } } }";
const RESET_BUDGET: &str =
    "mutation($input: ResetBudgetInput!) { resetBudget(input: $input) { userErrors { code } } }";
const UNLINK: &str = "mutation($input: UnlinkAccountInput!) { unlinkAccount(input: $input) { deletedAccountId userErrors { code } } }";
const MONTH: &str = "2026-11";
const HITS: &str = "moneta_cache_requests_total{outcome=\"hit\"}";
const ERRORS: &str = "moneta_cache_requests_total{outcome=\"error\"}";

/// The three cached views, in one request.
async fn reads(app: &TestApp, token: &str) -> Value {
    let body = app.graphql_as(token, READS, json!({ "m": MONTH })).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"].clone()
}

/// How a client names what it reads.
#[derive(Clone, Copy, Debug)]
enum Sent {
    /// The text: each view is read from the cache.
    Text,
    /// A registered document's id: the whole response is cached.
    ById,
}

impl Sent {
    /// Cache hits of a repeated read.
    fn hits(self) -> f64 {
        match self {
            Self::Text => 3.0,
            Self::ById => 1.0,
        }
    }

    async fn reads(self, app: &TestApp, token: &str) -> Value {
        match self {
            Self::Text => reads(app, token).await,
            Self::ById => reads_by_id(app, token).await,
        }
    }
}

/// The same views by APQ: the hash, and the text once the server asks.
pub async fn reads_by_id(app: &TestApp, token: &str) -> Value {
    let hash = moneta_api::graphql::document_id(READS);
    let apq = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    let send = |query: Option<&str>| {
        let mut body = json!({ "extensions": apq, "variables": { "m": MONTH } });
        if let Some(query) = query {
            body["query"] = json!(query);
        }
        app.http
            .post(format!("{}/graphql", app.base))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let mut body: Value = send(None).await.unwrap().json().await.unwrap();
    if body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND" {
        body = send(Some(READS)).await.unwrap().json().await.unwrap();
    }
    assert!(body["errors"].is_null(), "{body}");
    assert!(body["extensions"]["cost"]["requested"].is_u64(), "{body}");
    body["data"].clone()
}

fn dec(v: &Value) -> Decimal {
    v.as_str().expect("decimal").parse().expect("decimal")
}

fn spending_of(data: &Value, category: &str) -> Decimal {
    data["monthlySpending"]
        .as_array()
        .expect("spending")
        .iter()
        .find(|c| c["category"] == category)
        .map_or(Decimal::ZERO, |c| dec(&c["amount"]))
}

fn line<'a>(data: &'a Value, category: &str) -> &'a Value {
    data["budget"]["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .find(|c| c["category"] == category)
        .expect("budget line")
}

fn page(data: &Value) -> Vec<Value> {
    data["transactions"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

async fn mutate(app: &TestApp, token: &str, mutation: &str, input: Value) {
    let body = app
        .graphql_as(token, mutation, json!({ "input": input }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let payload = body["data"].as_object().unwrap().values().next().unwrap();
    assert_eq!(payload["userErrors"], json!([]), "{body}");
}

#[tokio::test]
async fn each_kind_of_write_is_read_back_at_once() {
    writes_are_read_back(Sent::Text).await;
}

/// The same writes, read as whole cached responses.
#[tokio::test]
async fn each_kind_of_write_is_read_back_at_once_from_cached_responses() {
    writes_are_read_back(Sent::ById).await;
}

async fn writes_are_read_back(sent: Sent) {
    let clock = FixedClock::new(day(20));
    let app = app_at(&clock).await;
    let (token, _, _) = app.signed_up().await;
    let first = linked_account(&app, &token, "user_good").await;

    let before = sent.reads(&app, &token).await;
    let hits = app.metric(HITS).await;
    assert_eq!(sent.reads(&app, &token).await, before);
    assert_eq!(
        app.metric(HITS).await - hits,
        sent.hits(),
        "the second read is a hit"
    );

    // An override: the page, the month's spending and the budget move.
    let target = page(&before)
        .into_iter()
        .find(|t| {
            t["postedAt"].as_str().unwrap().starts_with(MONTH)
                && dec(&t["amount"]) > Decimal::ZERO
                && t["category"] != "TRAVEL"
        })
        .expect("a purchase this month");
    let amount = dec(&target["amount"]);
    mutate(
        &app,
        &token,
        SET_CATEGORY,
        json!({ "transactionId": target["id"], "category": "TRAVEL" }),
    )
    .await;
    let after = sent.reads(&app, &token).await;
    let moved = page(&after)
        .into_iter()
        .find(|t| t["id"] == target["id"])
        .unwrap();
    assert_eq!(moved["category"], "TRAVEL");
    assert_eq!(
        spending_of(&after, "TRAVEL"),
        spending_of(&before, "TRAVEL") + amount
    );
    assert_eq!(
        dec(&line(&after, "TRAVEL")["spent"]),
        spending_of(&after, "TRAVEL")
    );

    // Income, then one category's budget, then its reset.
    mutate(
        &app,
        &token,
        SET_INCOME,
        json!({ "monthlyIncome": "7000.00" }),
    )
    .await;
    let after = sent.reads(&app, &token).await;
    assert_eq!(
        dec(&after["budget"]["monthlyIncome"]),
        Decimal::new(7000, 0)
    );
    assert_eq!(after["budget"]["incomeSource"], "USER");
    let template = dec(&line(&after, "FOOD")["budgeted"]);

    mutate(
        &app,
        &token,
        SET_BUDGET,
        json!({ "category": "FOOD", "amount": "123.45" }),
    )
    .await;
    let after = sent.reads(&app, &token).await;
    assert_eq!(
        dec(&line(&after, "FOOD")["budgeted"]),
        Decimal::new(12345, 2)
    );
    assert_eq!(line(&after, "FOOD")["source"], "OVERRIDE");

    mutate(&app, &token, RESET_BUDGET, json!({ "category": "FOOD" })).await;
    let after = sent.reads(&app, &token).await;
    assert_eq!(dec(&line(&after, "FOOD")["budgeted"]), template);
    assert_eq!(line(&after, "FOOD")["source"], "TEMPLATE");

    // A sync (a second account's first one): its transactions appear.
    let second = linked_account(&app, &token, "user_other").await;
    let after = sent.reads(&app, &token).await;
    assert!(
        page(&after)
            .iter()
            .any(|t| t["account"]["id"] == second.as_str()),
        "the new account's transactions are on the first page: {after}"
    );

    // An unlink: they are gone again, with their spending.
    let with_both = after;
    mutate(&app, &token, UNLINK, json!({ "accountId": second })).await;
    let after = sent.reads(&app, &token).await;
    assert!(
        page(&after)
            .iter()
            .all(|t| t["account"]["id"] == first.as_str())
    );
    assert_ne!(after["monthlySpending"], with_both["monthlySpending"]);

    // Reads after the writes are cached again.
    let hits = app.metric(HITS).await;
    sent.reads(&app, &token).await;
    assert_eq!(app.metric(HITS).await - hits, sent.hits());
}

#[tokio::test]
async fn one_users_write_leaves_anothers_cache_alone() {
    let clock = FixedClock::new(day(20));
    let app = app_at(&clock).await;
    let (mine, _, _) = app.signed_up().await;
    let (theirs, _, _) = app.signed_up().await;
    reads(&app, &theirs).await;
    mutate(&app, &mine, SET_INCOME, json!({ "monthlyIncome": "5000" })).await;
    let hits = app.metric(HITS).await;
    let data = reads(&app, &theirs).await;
    assert_eq!(app.metric(HITS).await - hits, 3.0);
    assert!(data["budget"]["monthlyIncome"].is_null());
}

/// Redis (reached through a proxy this test can cut) goes away: reads and
/// writes still answer from the database, the failures are counted, and
/// once Redis is back no read shows what the write during the outage
/// replaced. Needs a Redis server (`MONETA_TEST_REDIS_URL`).
#[tokio::test]
async fn reads_fall_back_to_the_database_while_redis_is_down() {
    let Some(url) = crate::harness::redis::required_redis_url(
        "reads_fall_back_to_the_database_while_redis_is_down",
    ) else {
        return;
    };
    let upstream = url
        .trim_start_matches("redis://")
        .trim_end_matches('/')
        .to_owned();
    let proxy = Proxy::start(upstream).await;
    let proxied = format!("redis://127.0.0.1:{}", proxy.port);
    let clock = FixedClock::new(day(20));
    let app = TestApp::spawn_with(Options {
        clock: Some(clock.clone()),
        tweak: Some(Box::new(move |s| {
            s.redis_url = Some(proxied.into());
        })),
        ..Default::default()
    })
    .await;
    let (token, _, _) = app.signed_up().await;
    mutate(&app, &token, SET_INCOME, json!({ "monthlyIncome": "4000" })).await;
    let cached = reads(&app, &token).await;
    reads(&app, &token).await;

    proxy.cut().await;
    let started = std::time::Instant::now();
    assert_eq!(
        reads(&app, &token).await,
        cached,
        "answered from the database"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "a dead cache costs a timeout, not an outage ({:?})",
        started.elapsed()
    );
    mutate(&app, &token, SET_INCOME, json!({ "monthlyIncome": "6000" })).await;
    let during = reads(&app, &token).await;
    assert_eq!(
        dec(&during["budget"]["monthlyIncome"]),
        Decimal::new(6000, 0)
    );
    assert!(app.metric(ERRORS).await >= 1.0);
    let health = app.get("/healthz").await;
    assert!(health.status().is_success());

    // Redis is back (with the value cached before the write): the lost
    // invalidation is retried before anything is served from it.
    proxy.restore();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let data = reads(&app, &token).await;
        assert_eq!(
            dec(&data["budget"]["monthlyIncome"]),
            Decimal::new(6000, 0),
            "never the budget from before the write"
        );
        let hits = app.metric(HITS).await;
        reads(&app, &token).await;
        if app.metric(HITS).await > hits {
            break; // cached again
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the cache never came back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
