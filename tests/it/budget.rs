//! Spending, budgets and live alerts.

use std::time::Duration;

use moneta_core::categories::Category;
use moneta_core::clock::FixedClock;
use moneta_platform::config::Role;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait as _, EntityTrait as _, PaginatorTrait as _, QueryFilter as _};
use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::harness::fixtures::row_id;
use crate::harness::ws::WsClient;
use crate::sync::{app_at, day, linked_account};

const BUDGET: &str = "query($m: Month!) { budget(month: $m) { month monthlyIncome incomeSource categories { category budgeted spent remaining source status } } }";
const SET_INCOME: &str = "mutation($input: SetIncomeInput!) { setIncome(input: $input) { budget { monthlyIncome incomeSource categories { category budgeted source status } } userErrors { field code message } } }";
const SET_BUDGET: &str = "mutation($input: SetBudgetInput!) { setBudget(input: $input) { budget { categories { category budgeted spent source status } } userErrors { field code message } } }";
const RESET_BUDGET: &str = "mutation($input: ResetBudgetInput!) { resetBudget(input: $input) { budget { categories { category budgeted source } } userErrors { code } } }";
const ALERTS: &str = "subscription { budgetAlerts { notification { id kind category month read } category month budgeted spent } }";
const MONTH: &str = "2026-11";

fn line<'a>(budget: &'a Value, category: &str) -> &'a Value {
    budget["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .find(|c| c["category"] == category)
        .expect("category line")
}

fn dec(v: &Value) -> Decimal {
    v.as_str()
        .expect("decimal string")
        .parse()
        .expect("decimal")
}

/// A user whose sandbox account has synced at `day(20)`.
async fn synced_user(app: &TestApp) -> (String, i64) {
    let (token, _, user_id) = app.signed_up().await;
    linked_account(app, &token, "user_good").await;
    (token, row_id(&user_id))
}

async fn budget(app: &TestApp, token: &str) -> Value {
    let body = app.graphql_as(token, BUDGET, json!({ "m": MONTH })).await;
    body["data"]["budget"].clone()
}

async fn alert_count(app: &TestApp, user: i64, kind: &str, category: &str) -> u64 {
    moneta_entities::notifications::Entity::find()
        .filter(moneta_entities::notifications::Column::UserId.eq(user))
        .filter(moneta_entities::notifications::Column::Kind.eq(kind))
        .filter(moneta_entities::notifications::Column::Category.eq(category))
        .count(&app.db.connect().await)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_template_follows_the_estimated_then_the_set_income() {
    let clock = FixedClock::new(day(20));
    let app = app_at(&clock).await;
    let (token, user) = synced_user(&app).await;

    // Estimated: the INCOME received in Aug, Sep and Oct, over three.
    let received: i64 = moneta_entities::monthly_spending::Entity::find()
        .filter(moneta_entities::monthly_spending::Column::UserId.eq(user))
        .filter(moneta_entities::monthly_spending::Column::Category.eq("INCOME"))
        .filter(moneta_entities::monthly_spending::Column::Month.is_in([202608, 202609, 202610]))
        .all(&app.db.connect().await)
        .await
        .unwrap()
        .iter()
        .map(|r| -r.amount_cents)
        .sum();
    assert!(received > 0);
    let b = budget(&app, &token).await;
    assert_eq!(b["month"], MONTH);
    assert_eq!(b["incomeSource"], "ESTIMATED");
    assert_eq!(dec(&b["monthlyIncome"]), Decimal::new(received / 3, 2));
    let categories: Vec<&str> = b["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["category"].as_str().unwrap())
        .collect();
    assert_eq!(categories.len(), 10);
    for c in Category::SPENDING {
        let l = line(&b, c.as_str());
        let income = moneta_core::money::Money::from_cents(received / 3);
        let expected = moneta_core::budget::template_amount(income, c);
        assert_eq!(dec(&l["budgeted"]), expected.to_decimal(), "{c}");
        assert_eq!(l["source"], "TEMPLATE");
        assert_eq!(dec(&l["remaining"]), dec(&l["budgeted"]) - dec(&l["spent"]));
    }

    // Set: the template follows the user's figure.
    let set = app
        .graphql_as(
            &token,
            SET_INCOME,
            json!({ "input": { "monthlyIncome": "5000.00" } }),
        )
        .await["data"]["setIncome"]
        .clone();
    assert_eq!(set["userErrors"], json!([]), "{set}");
    assert_eq!(set["budget"]["incomeSource"], "USER");
    assert_eq!(set["budget"]["monthlyIncome"], "5000.00");
    assert_eq!(line(&set["budget"], "HOUSING")["budgeted"], "1500.00");
    assert_eq!(line(&set["budget"], "FOOD")["budgeted"], "600.00");
    let me = app
        .graphql_as(&token, "{ me { monthlyIncome } }", json!({}))
        .await;
    assert_eq!(me["data"]["me"]["monthlyIncome"], "5000.00");

    // An override, then back to the template.
    let over = app
        .graphql_as(
            &token,
            SET_BUDGET,
            json!({ "input": { "category": "FOOD", "amount": "123.45" } }),
        )
        .await["data"]["setBudget"]
        .clone();
    assert_eq!(line(&over["budget"], "FOOD")["budgeted"], "123.45");
    assert_eq!(line(&over["budget"], "FOOD")["source"], "OVERRIDE");
    assert_eq!(line(&over["budget"], "GAS")["source"], "TEMPLATE");
    let reset = app
        .graphql_as(
            &token,
            RESET_BUDGET,
            json!({ "input": { "category": "FOOD" } }),
        )
        .await["data"]["resetBudget"]
        .clone();
    assert_eq!(line(&reset["budget"], "FOOD")["budgeted"], "600.00");
    assert_eq!(line(&reset["budget"], "FOOD")["source"], "TEMPLATE");
}

#[tokio::test]
async fn bad_amounts_are_invalid_and_change_nothing() {
    let clock = FixedClock::new(day(20));
    let app = app_at(&clock).await;
    let (token, _, _) = app.signed_up().await;
    let before = budget(&app, &token).await;
    assert_eq!(before["incomeSource"], "NONE");
    assert!(before["monthlyIncome"].is_null());
    for amount in [
        "-1",
        "12.345",
        "10000000.01",
        "79228162514264337593543950335",
    ] {
        let body = app
            .graphql_as(
                &token,
                SET_INCOME,
                json!({ "input": { "monthlyIncome": amount } }),
            )
            .await;
        let payload = &body["data"]["setIncome"];
        assert!(payload["budget"].is_null(), "{body}");
        assert_eq!(payload["userErrors"][0]["code"], "INVALID", "{amount}");
        assert_eq!(
            payload["userErrors"][0]["field"],
            json!(["input", "monthlyIncome"])
        );
        let body = app
            .graphql_as(
                &token,
                SET_BUDGET,
                json!({ "input": { "category": "FOOD", "amount": amount } }),
            )
            .await;
        assert_eq!(
            body["data"]["setBudget"]["userErrors"][0]["field"],
            json!(["input", "amount"])
        );
    }
    let income = app
        .graphql_as(
            &token,
            SET_BUDGET,
            json!({ "input": { "category": "INCOME", "amount": "10" } }),
        )
        .await;
    assert_eq!(
        income["data"]["setBudget"]["userErrors"][0]["field"],
        json!(["input", "category"])
    );
    let not_a_number = app
        .graphql_as(
            &token,
            SET_INCOME,
            json!({ "input": { "monthlyIncome": "lots" } }),
        )
        .await;
    assert!(not_a_number["errors"].is_array(), "{not_a_number}");
    let bad_month = app
        .graphql_as(&token, BUDGET, json!({ "m": "2026-13" }))
        .await;
    assert!(bad_month["errors"].is_array(), "{bad_month}");
    assert_eq!(budget(&app, &token).await, before);
    // Without an income, only overrides have a budget.
    let over = app
        .graphql_as(
            &token,
            SET_BUDGET,
            json!({ "input": { "category": "GAS", "amount": "80" } }),
        )
        .await;
    let b = &over["data"]["setBudget"]["budget"];
    assert_eq!(line(b, "GAS")["budgeted"], "80.00");
    assert_eq!(line(b, "FOOD")["budgeted"], "0.00");
}

/// Collects budget alerts from a socket for `wait`.
async fn alerts(ws: &mut WsClient, wait: Duration) -> Vec<Value> {
    let mut got = Vec::new();
    while let Some(message) = ws.try_next_message(wait).await {
        assert_eq!(message["type"], "next", "{message}");
        got.push(message["payload"]["data"]["budgetAlerts"].clone());
    }
    got
}

#[tokio::test]
async fn a_small_food_budget_alerts_exactly_once_under_racing_syncs_and_overrides() {
    let clock = FixedClock::new(day(20));
    let app = app_at(&clock).await;
    let (token, _, user_id) = app.signed_up().await;
    let user = row_id(&user_id);
    // A large income: nothing but the FOOD override below can alert.
    app.graphql_as(
        &token,
        SET_INCOME,
        json!({ "input": { "monthlyIncome": "1000000" } }),
    )
    .await;
    let account = linked_account(&app, &token, "user_good").await;

    let mut ws = app.ws().await;
    ws.init_as(&token).await;
    ws.subscribe("a", ALERTS).await;
    let mut other = app.ws().await;
    let (other_token, _, _) = app.signed_up().await;
    other.init_as(&other_token).await;
    other.subscribe("a", ALERTS).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    let racers = (0..20).map(|i| {
        let app = &app;
        let token = token.clone();
        let account = account.clone();
        async move {
            if i % 2 == 0 {
                app.graphql_as(&token, SET_BUDGET, json!({ "input": { "category": "FOOD", "amount": "1.00" } }))
                    .await;
            } else {
                app.graphql_as(
                    &token,
                    "mutation($input: RefreshAccountInput!) { refreshAccount(input: $input) { userErrors { code } } }",
                    json!({ "input": { "accountId": account } }),
                )
                .await;
            }
        }
    });
    futures_util::future::join_all(racers).await;
    // Let the queued syncs drain.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while app.runtime.worker.queue.depth().await.unwrap() > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "syncs never drained"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    assert_eq!(alert_count(&app, user, "BUDGET_EXCEEDED", "FOOD").await, 1);
    let received = alerts(&mut ws, Duration::from_secs(2)).await;
    assert_eq!(received.len(), 1, "{received:?}");
    let alert = &received[0];
    assert_eq!(alert["category"], "FOOD");
    assert_eq!(alert["month"], MONTH);
    assert_eq!(alert["budgeted"], "1.00");
    assert!(dec(&alert["spent"]) > Decimal::ONE);
    assert_eq!(alert["notification"]["kind"], "BUDGET_EXCEEDED");
    assert_eq!(alert["notification"]["read"], false);
    assert!(
        alerts(&mut other, Duration::from_millis(300))
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn approaching_then_exceeded_as_spending_outgrows_the_budget() {
    let clock = FixedClock::new(day(20));
    let app = app_at(&clock).await;
    // A large income first: the sync itself must not alert.
    let (token, _, user_id) = app.signed_up().await;
    let user = row_id(&user_id);
    app.graphql_as(
        &token,
        SET_INCOME,
        json!({ "input": { "monthlyIncome": "1000000" } }),
    )
    .await;
    linked_account(&app, &token, "user_good").await;
    assert_eq!(alert_count(&app, user, "BUDGET_EXCEEDED", "FOOD").await, 0);
    let spent = dec(&line(&budget(&app, &token).await, "FOOD")["spent"]);
    assert!(spent > Decimal::ZERO);

    // 90 % spent.
    let ninety = (spent / Decimal::new(9, 1)).round_dp(2);
    let body = app
        .graphql_as(
            &token,
            SET_BUDGET,
            json!({ "input": { "category": "FOOD", "amount": ninety.to_string() } }),
        )
        .await;
    assert_eq!(
        line(&body["data"]["setBudget"]["budget"], "FOOD")["status"],
        "APPROACHING"
    );
    assert_eq!(
        alert_count(&app, user, "BUDGET_APPROACHING", "FOOD").await,
        1
    );
    assert_eq!(alert_count(&app, user, "BUDGET_EXCEEDED", "FOOD").await, 0);
    // The same again fires nothing new.
    app.graphql_as(
        &token,
        SET_BUDGET,
        json!({ "input": { "category": "FOOD", "amount": ninety.to_string() } }),
    )
    .await;
    assert_eq!(
        alert_count(&app, user, "BUDGET_APPROACHING", "FOOD").await,
        1
    );

    // Spending outgrows it.
    let half = (spent / Decimal::TWO).round_dp(2);
    let body = app
        .graphql_as(
            &token,
            SET_BUDGET,
            json!({ "input": { "category": "FOOD", "amount": half.to_string() } }),
        )
        .await;
    assert_eq!(
        line(&body["data"]["setBudget"]["budget"], "FOOD")["status"],
        "EXCEEDED"
    );
    assert_eq!(
        alert_count(&app, user, "BUDGET_APPROACHING", "FOOD").await,
        1
    );
    assert_eq!(alert_count(&app, user, "BUDGET_EXCEEDED", "FOOD").await, 1);

    let listed = app
        .graphql_as(&token, "{ notifications(first: 50, unreadOnly: true) { edges { node { kind category month } } } }", json!({}))
        .await;
    let kinds: Vec<&str> = listed["data"]["notifications"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["node"]["category"] == "FOOD")
        .map(|e| e["node"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["BUDGET_EXCEEDED", "BUDGET_APPROACHING"],
        "newest first"
    );
}

/// Another api process on the same database and Redis (where alerts
/// cross Redis pub/sub), when the tests have Redis; else none (the
/// embedded default is one process).
async fn api_replica(app: &TestApp, clock: &FixedClock) -> Option<TestApp> {
    let with_redis = std::env::var("MONETA_TEST_REDIS_URL").is_ok_and(|u| !u.is_empty());
    if with_redis {
        Some(app.replica(Role::Api, Some(clock.clone())).await)
    } else {
        None
    }
}

/// With no income, a zero budget that one transaction exceeds: FOOD
/// spending of 50.00 from a fixture transaction, then a 10.00 budget.
async fn exceed_food(app: &TestApp, token: &str, user: i64) {
    let db = app.db.connect().await;
    crate::harness::fixtures::spent(&db, user, 7, 70, "WHOLEFDS MKT 10234", 5_000, day(18)).await;
    app.graphql_as(
        token,
        SET_BUDGET,
        json!({ "input": { "category": "FOOD", "amount": "10.00" } }),
    )
    .await;
}

#[tokio::test]
async fn an_alert_reaches_a_subscriber_on_another_process_and_only_its_owner() {
    let clock = FixedClock::new(day(20));
    let app = app_at(&clock).await;
    let replica = api_replica(&app, &clock).await;
    let listener = replica.as_ref().unwrap_or(&app);
    let (token, _, _) = app.signed_up().await;
    let (other_token, _, _) = app.signed_up().await;
    let mut mine = listener.ws().await;
    mine.init_as(&token).await;
    mine.subscribe("a", ALERTS).await;
    let mut theirs = listener.ws().await;
    theirs.init_as(&other_token).await;
    theirs.subscribe("a", ALERTS).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    let user = {
        let body = app.graphql_as(&token, "{ me { id } }", json!({})).await;
        row_id(body["data"]["me"]["id"].as_str().unwrap())
    };
    exceed_food(&app, &token, user).await;

    let received = alerts(&mut mine, Duration::from_secs(3)).await;
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(received[0]["category"], "FOOD");
    assert_eq!(received[0]["spent"], "50.00");
    assert!(
        alerts(&mut theirs, Duration::from_millis(500))
            .await
            .is_empty()
    );
}

/// The notification a live alert carries is the stored one, field for
/// field, although the subscriber no longer reads it back (and over Redis
/// it crossed the wire): `createdAt` included, to the microsecond the
/// database keeps of a clock that has nanoseconds.
#[tokio::test]
async fn a_live_alert_carries_the_notification_as_stored() {
    let clock = FixedClock::new(day(20) + chrono::Duration::nanoseconds(123_456_789));
    let app = app_at(&clock).await;
    let replica = api_replica(&app, &clock).await;
    let listener = replica.as_ref().unwrap_or(&app);
    let (token, _, user_id) = app.signed_up().await;
    let user = row_id(&user_id);
    let mut ws = listener.ws().await;
    ws.init_as(&token).await;
    let fields = "id kind message category month read createdAt";
    ws.subscribe(
        "a",
        &format!("subscription {{ budgetAlerts {{ notification {{ {fields} }} }} }}"),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    exceed_food(&app, &token, user).await;

    let received = alerts(&mut ws, Duration::from_secs(3)).await;
    assert_eq!(received.len(), 1, "{received:?}");
    let live = &received[0]["notification"];
    let listed = app
        .graphql_as(
            &token,
            &format!("{{ notifications(first: 1) {{ edges {{ node {{ {fields} }} }} }} }}"),
            json!({}),
        )
        .await;
    let stored = &listed["data"]["notifications"]["edges"][0]["node"];
    assert_eq!(live, stored, "live {live} against stored {stored}");
    assert_eq!(live["kind"], "BUDGET_EXCEEDED");
    assert_eq!(live["read"], false);
    assert!(
        live["createdAt"]
            .as_str()
            .is_some_and(|t| t.contains(".123456")),
        "{live}"
    );
}

#[tokio::test]
async fn marking_read_touches_only_the_callers_notifications() {
    let clock = FixedClock::new(day(20));
    let app = app_at(&clock).await;
    let (alice, _) = synced_user(&app).await;
    let (bob, _, _) = app.signed_up().await;
    let list = "{ notifications(first: 100) { edges { node { id read kind } } } }";
    let ids: Vec<String> =
        app.graphql_as(&alice, list, json!({})).await["data"]["notifications"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
            .collect();
    assert!(!ids.is_empty());
    let mark = "mutation($input: MarkNotificationsReadInput!) { markNotificationsRead(input: $input) { updatedCount userErrors { code } } }";
    let by_bob = app
        .graphql_as(&bob, mark, json!({ "input": { "ids": ids } }))
        .await;
    assert_eq!(by_bob["data"]["markNotificationsRead"]["updatedCount"], 0);
    let unread = app
        .graphql_as(
            &alice,
            "{ notifications(first: 100, unreadOnly: true) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        unread["data"]["notifications"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        ids.len()
    );
    let garbage = app
        .graphql_as(
            &alice,
            mark,
            json!({ "input": { "ids": ["nonsense", "VXNlcjox"] } }),
        )
        .await;
    assert_eq!(garbage["data"]["markNotificationsRead"]["updatedCount"], 0);
    let by_alice = app
        .graphql_as(&alice, mark, json!({ "input": { "ids": ids } }))
        .await;
    assert_eq!(
        by_alice["data"]["markNotificationsRead"]["updatedCount"],
        ids.len()
    );
    let again = app
        .graphql_as(&alice, mark, json!({ "input": { "ids": ids } }))
        .await;
    assert_eq!(again["data"]["markNotificationsRead"]["updatedCount"], 0);
    let node = app
        .graphql_as(
            &alice,
            "query($id: ID!) { node(id: $id) { ... on Notification { read } } }",
            json!({ "id": ids[0] }),
        )
        .await;
    assert_eq!(node["data"]["node"]["read"], true);
    let theirs = app
        .graphql_as(
            &bob,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": ids[0] }),
        )
        .await;
    assert!(theirs["data"]["node"].is_null());
}

/// An event bus whose every publish fails, as when Redis is down.
#[derive(Debug)]
struct DownBus;

#[async_trait::async_trait]
impl moneta_core::ports::EventBus for DownBus {
    async fn publish(
        &self,
        _: moneta_core::UserId,
        _: moneta_core::ports::UserEvent,
    ) -> Result<(), moneta_core::InternalError> {
        Err(moneta_core::InternalError::EventBus(
            "connection refused".into(),
        ))
    }

    async fn subscribe(
        &self,
        _: moneta_core::UserId,
    ) -> Result<moneta_core::ports::EventStream, moneta_core::InternalError> {
        Err(moneta_core::InternalError::EventBus(
            "connection refused".into(),
        ))
    }
}

/// When the live path fails, the alert is still stored, once, and listed.
#[tokio::test]
async fn an_alert_is_stored_even_when_it_cannot_be_published() {
    let clock = FixedClock::new(day(20));
    let app = app_at(&clock).await;
    let (token, _, user_id) = app.signed_up().await;
    let user = row_id(&user_id);
    let db = app.db.connect().await;
    crate::harness::fixtures::spent(&db, user, 9, 90, "CHIPOTLE 1234", 4_200, day(19)).await;
    let uid = moneta_core::UserId::new(user);
    app.graphql_as(
        &token,
        SET_BUDGET,
        json!({ "input": { "category": "FOOD", "amount": "10.00" } }),
    )
    .await;
    // The API's own evaluation already stored it; a second one, with the
    // bus down, neither fails nor duplicates it.
    let month = moneta_core::month::Month::of(day(20));
    let fired = moneta_core::budget::evaluate_alerts(
        &db,
        &moneta_core::IdGenerator::new(),
        &DownBus,
        uid,
        month,
        day(20),
    )
    .await
    .expect("a failed publish is not a failed evaluation");
    assert_eq!(fired, 0);
    assert_eq!(alert_count(&app, user, "BUDGET_EXCEEDED", "FOOD").await, 1);

    // A fresh user whose only evaluation runs with the bus down.
    let (_, _, other_id) = app.signed_up().await;
    let other = row_id(&other_id);
    crate::harness::fixtures::spent(&db, other, 10, 100, "CHIPOTLE 1234", 4_200, day(19)).await;
    let oid = moneta_core::UserId::new(other);
    moneta_entities::budget_overrides::Entity::insert(
        moneta_entities::budget_overrides::ActiveModel {
            user_id: sea_orm::ActiveValue::Set(other),
            category: sea_orm::ActiveValue::Set("FOOD".into()),
            amount_cents: sea_orm::ActiveValue::Set(1_000),
            updated_at: sea_orm::ActiveValue::Set(day(19)),
        },
    )
    .exec_without_returning(&db)
    .await
    .unwrap();
    let fired = moneta_core::budget::evaluate_alerts(
        &db,
        &moneta_core::IdGenerator::new(),
        &DownBus,
        oid,
        month,
        day(20),
    )
    .await
    .unwrap();
    assert_eq!(fired, 1);
    assert_eq!(alert_count(&app, other, "BUDGET_EXCEEDED", "FOOD").await, 1);
}

/// Without an income (set or estimated) the template budgets nothing:
/// spending raises no alerts until the user sets a budget.
#[tokio::test]
async fn no_budget_means_no_alerts() {
    let clock = FixedClock::new(day(20));
    let app = app_at(&clock).await;
    let (token, _, user_id) = app.signed_up().await;
    let user = row_id(&user_id);
    let db = app.db.connect().await;
    crate::harness::fixtures::insert_account(&db, user, 11).await;
    crate::harness::fixtures::insert_transaction(
        &db,
        user,
        11,
        110,
        "SHELL OIL 57442651200",
        6_000,
        day(19),
    )
    .await;
    // An override on the transaction re-evaluates the month's alerts.
    app.graphql_as(
        &token,
        "mutation($input: SetTransactionCategoryInput!) { setTransactionCategory(input: $input) { transaction { category } } }",
        json!({ "input": { "transactionId": crate::harness::fixtures::global_id("Transaction", 110), "category": "GAS" } }),
    )
    .await;
    let b = budget(&app, &token).await;
    assert_eq!(b["incomeSource"], "NONE");
    assert_eq!(
        line(&b, "GAS")["status"],
        "EXCEEDED",
        "spent against a zero budget"
    );
    assert_eq!(alert_count(&app, user, "BUDGET_EXCEEDED", "GAS").await, 0);
    // Once the user sets one, the alert fires.
    app.graphql_as(
        &token,
        SET_BUDGET,
        json!({ "input": { "category": "GAS", "amount": "50" } }),
    )
    .await;
    assert_eq!(alert_count(&app, user, "BUDGET_EXCEEDED", "GAS").await, 1);
}
