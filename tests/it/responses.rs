//! Whole-response caching and cost-based limits: a registered read sent
//! by id is answered from the user's own cached response until a write
//! changes what it shows; every response tells its cost; a caller whose
//! bucket is spent is THROTTLED until it drains.

use std::time::Duration;

use moneta_api::graphql::client_documents;
use moneta_core::clock::FixedClock;
use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::harness::app::Options;
use crate::sync::{app_at, day, linked_account};

const HITS: &str = "moneta_cache_requests_total{outcome=\"hit\"}";
const SET_INCOME: &str =
    "mutation($input: SetIncomeInput!) { setIncome(input: $input) { userErrors { code } } }";
const SET_BUDGET: &str =
    "mutation($input: SetBudgetInput!) { setBudget(input: $input) { userErrors { code } } }";
const MARK_READ: &str = "mutation($input: MarkNotificationsReadInput!) { markNotificationsRead(input: $input) { updatedCount userErrors { code } } }";
const MONTH: &str = "2026-11";

/// The id of the registered client operation `name`.
fn client_id(name: &str) -> String {
    client_documents()
        .into_iter()
        .find(|(operation, _, _)| operation == name)
        .map(|(_, id, _)| format!("sha256:{id}"))
        .unwrap_or_else(|| panic!("no client operation {name}"))
}

/// POSTs `body` as the holder of `token`: the status, the `Retry-After`
/// header and the JSON body.
async fn post(app: &TestApp, token: Option<&str>, body: Value) -> (u16, Option<String>, Value) {
    let mut request = app.http.post(format!("{}/graphql", app.base)).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("server answers");
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, retry_after, response.json().await.expect("JSON"))
}

/// The home screen by id.
async fn dashboard(app: &TestApp, token: &str) -> Value {
    let (status, _, body) = post(
        app,
        Some(token),
        json!({ "documentId": client_id("Dashboard"), "variables": { "month": MONTH } }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["errors"].is_null(), "{body}");
    assert!(body["extensions"]["cost"]["requested"].is_u64(), "{body}");
    body["data"].clone()
}

async fn mutate(app: &TestApp, token: &str, mutation: &str, input: Value) -> Value {
    let body = app
        .graphql_as(token, mutation, json!({ "input": input }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    body
}

fn unread(data: &Value) -> Vec<Value> {
    data["notifications"]["edges"]
        .as_array()
        .expect("notifications")
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

#[tokio::test]
async fn two_users_with_the_same_request_each_get_their_own_cached_home_screen() {
    let clock = FixedClock::new(day(20));
    let app = app_at(&clock).await;
    let (alice, _, _) = app.signed_up().await;
    let (bob, _, _) = app.signed_up().await;
    mutate(&app, &alice, SET_INCOME, json!({ "monthlyIncome": "5000" })).await;
    mutate(&app, &bob, SET_INCOME, json!({ "monthlyIncome": "7000" })).await;

    let hers = dashboard(&app, &alice).await;
    let his = dashboard(&app, &bob).await;
    assert_ne!(hers["me"]["email"], his["me"]["email"]);
    assert_eq!(hers["me"]["monthlyIncome"], "5000.00", "{hers}");
    assert_eq!(his["me"]["monthlyIncome"], "7000.00", "{his}");

    // Both again: each is one hit, and still each one's own.
    let hits = app.metric(HITS).await;
    assert_eq!(dashboard(&app, &bob).await, his);
    assert_eq!(dashboard(&app, &alice).await, hers);
    assert_eq!(
        app.metric(HITS).await - hits,
        2.0,
        "both answered from the cache"
    );
}

#[tokio::test]
async fn the_cached_home_screen_shows_a_sync_an_alert_and_its_reading_at_once() {
    let clock = FixedClock::new(day(20));
    let app = app_at(&clock).await;
    let (token, _, _) = app.signed_up().await;
    let empty = dashboard(&app, &token).await;
    assert_eq!(empty["accounts"], json!([]));
    assert_eq!(dashboard(&app, &token).await, empty);

    // A sync (the worker's write): the account, active, and its spending.
    let account = linked_account(&app, &token, "user_good").await;
    let synced = dashboard(&app, &token).await;
    assert_eq!(synced["accounts"][0]["id"], account.as_str(), "{synced}");
    assert_eq!(synced["accounts"][0]["status"], "ACTIVE");
    let spent = synced["budget"]["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|line| {
            line["spent"]
                .as_str()
                .is_some_and(|s| s != "0.00" && !s.starts_with('-'))
        })
        .unwrap_or_else(|| panic!("a category with spending: {synced}"))
        .clone();
    let before = unread(&synced).len();

    // A budget below the spending: the alert is on the home screen.
    mutate(
        &app,
        &token,
        SET_BUDGET,
        json!({ "category": spent["category"], "amount": "0.01" }),
    )
    .await;
    let alerted = dashboard(&app, &token).await;
    let alerts = unread(&alerted);
    assert_eq!(alerts.len(), before + 1, "{alerted}");
    assert_eq!(alerts[0]["kind"], "BUDGET_EXCEEDED", "{alerted}");
    assert_eq!(alerts[0]["category"], spent["category"]);

    // Read: it leaves the unread list.
    let ids: Vec<Value> = alerts.iter().map(|n| n["id"].clone()).collect();
    mutate(&app, &token, MARK_READ, json!({ "ids": ids })).await;
    assert_eq!(unread(&dashboard(&app, &token).await), Vec::<Value>::new());
}

/// A server whose buckets hold 5,000 points and drain 100 a second.
async fn tight_buckets() -> TestApp {
    TestApp::spawn_with(Options {
        tweak: Some(Box::new(|s| {
            s.edge.cost_bucket_points = 5_000;
            s.edge.cost_drain_per_sec = 100;
        })),
        ..Default::default()
    })
    .await
}

fn cost(body: &Value) -> (u64, u64, u64) {
    let cost = &body["extensions"]["cost"];
    let n = |key: &str| {
        cost[key]
            .as_u64()
            .unwrap_or_else(|| panic!("no cost.{key}: {body}"))
    };
    (n("requested"), n("actual"), n("remaining"))
}

#[tokio::test]
async fn every_response_tells_its_cost_and_a_spent_bucket_throttles_then_drains() {
    let app = tight_buckets().await;
    let (_, _, anonymous) = post(&app, None, json!({ "query": "{ __typename me { id } }" })).await;
    let (requested, actual, remaining) = cost(&anonymous);
    assert_eq!((requested, actual), (2, 2), "{anonymous}");
    assert!(remaining < 5_000);

    // A 100-transaction page: charged for 100, counted on what came back.
    let (token, _, _) = app.signed_up().await;
    let page = json!({
        "documentId": client_id("TransactionsPage"),
        "variables": { "first": 100 },
    });
    let (status, _, body) = post(&app, Some(&token), page.clone()).await;
    assert_eq!(status, 200, "{body}");
    let (requested, actual, first_remaining) = cost(&body);
    assert!(requested > 1_000, "{body}");
    assert!(
        actual < requested,
        "an empty page costs less than a full one: {body}"
    );

    // Spend the bucket: THROTTLED, 429, with when to come back.
    let mut refused = None;
    for _ in 0..(5_000 / requested + 2) {
        let (status, retry_after, body) = post(&app, Some(&token), page.clone()).await;
        if status == 429 {
            refused = Some((retry_after, body));
            break;
        }
        assert_eq!(status, 200, "{body}");
        assert!(cost(&body).2 < first_remaining, "{body}");
    }
    let (retry_after, body) = refused.expect("the bucket ran out");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "THROTTLED",
        "{body}"
    );
    let wait = body["errors"][0]["extensions"]["retryAfter"]
        .as_u64()
        .unwrap_or_else(|| panic!("retryAfter: {body}"));
    assert!(wait >= 1, "{body}");
    assert_eq!(retry_after, Some(wait.to_string()));
    assert!(body["data"].is_null(), "nothing ran: {body}");

    // It drains: the same request runs again, soon.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let (status, _, body) = post(&app, Some(&token), page.clone()).await;
        if status == 200 {
            assert_eq!(cost(&body).0, requested);
            break;
        }
        assert_eq!(status, 429, "{body}");
        assert!(tokio::time::Instant::now() < deadline, "never drained");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn a_cached_response_is_charged_what_it_cost_when_it_ran() {
    let app = tight_buckets().await;
    let (token, _, _) = app.signed_up().await;
    let body = json!({ "documentId": client_id("Dashboard"), "variables": { "month": MONTH } });
    let (_, _, ran) = post(&app, Some(&token), body.clone()).await;
    let hits = app.metric(HITS).await;
    let (_, _, cached) = post(&app, Some(&token), body).await;
    assert_eq!(
        app.metric(HITS).await - hits,
        1.0,
        "answered from the cache"
    );
    assert_eq!(cached["data"], ran["data"]);
    let (requested, actual, remaining) = cost(&cached);
    assert_eq!(
        (requested, actual),
        (cost(&ran).0, cost(&ran).1),
        "{cached}"
    );
    assert!(remaining + requested <= 5_000, "{cached}");
}
