//! Deleting an account (`deleteMe`) and taking one's data away
//! (`exportMe`).

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use moneta_core::UserId;
use moneta_core::clock::FixedClock;
use moneta_core::ports::{SyncJob, SyncReason};
use moneta_core::sync::SyncOutcome;
use moneta_workers::jobs::resume_erasures;
use sea_orm::{ConnectionTrait as _, DatabaseConnection, Statement};
use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::harness::app::Options;
use crate::harness::fixtures::row_id;
use crate::sync::linked_account;

const REFRESH: &str = "mutation($input: RefreshTokenInput!) { refreshToken(input: $input) { accessToken userErrors { code } } }";
const SET_CATEGORY: &str = "mutation($input: SetTransactionCategoryInput!) { setTransactionCategory(input: $input) { userErrors { code } } }";
const SET_BUDGET: &str =
    "mutation($input: SetBudgetInput!) { setBudget(input: $input) { userErrors { code } } }";
const SET_INCOME: &str =
    "mutation($input: SetIncomeInput!) { setIncome(input: $input) { userErrors { code } } }";
const CREATE_RULE: &str = "mutation($input: CreateRuleInput!) { createRule(input: $input) { application { changedCount } userErrors { code } } }";
const PASSWORD: &str = "a long enough password";
const CROWD_CATEGORY: &str = "TRAVEL";

/// The user-owned tables, keyed by `user_id` (and `users` by `id`).
const USER_TABLES: [&str; 13] = [
    "refresh_tokens",
    "accounts",
    "transactions",
    "monthly_spending",
    "budget_overrides",
    "spending_changes",
    "notifications",
    "user_seller_votes",
    "category_rules",
    "rule_applications",
    "rule_application_changes",
    "transfers",
    "imports",
];

/// A signed-up user: email, tokens and row id.
struct Someone {
    email: String,
    access: String,
    refresh: String,
    id: i64,
}

async fn sign_up(app: &TestApp) -> Someone {
    let email = format!("leaver-{}@example.com", uuid::Uuid::new_v4().simple());
    let payload = app.register(&email, PASSWORD).await;
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    Someone {
        id: row_id(payload["user"]["id"].as_str().unwrap()),
        access: payload["accessToken"].as_str().unwrap().to_owned(),
        refresh: payload["refreshToken"].as_str().unwrap().to_owned(),
        email,
    }
}

async fn count(db: &DatabaseConnection, sql: String) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

/// How many rows `someone` has in each table, the user row and the email
/// claim included.
async fn rows_of(db: &DatabaseConnection, someone: &Someone) -> BTreeMap<&'static str, i64> {
    let mut rows = BTreeMap::new();
    for table in USER_TABLES {
        let sql = format!(
            "SELECT COUNT(*) FROM {table} WHERE user_id = {}",
            someone.id
        );
        rows.insert(table, count(db, sql).await);
    }
    let users = format!("SELECT COUNT(*) FROM users WHERE id = {}", someone.id);
    rows.insert("users", count(db, users).await);
    let claim = format!(
        "SELECT COUNT(*) FROM user_emails WHERE email_normalized = '{}'",
        someone.email
    );
    rows.insert("user_emails", count(db, claim).await);
    rows
}

/// Every table of the schema with a `user_id` column.
async fn tables_with_user_id(db: &DatabaseConnection) -> Vec<String> {
    let sql = match db.get_database_backend() {
        sea_orm::DbBackend::Sqlite => {
            "SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND p.name = 'user_id' ORDER BY m.name"
        }
        _ => {
            "SELECT table_name FROM information_schema.columns WHERE table_schema = DATABASE() AND column_name = 'user_id' ORDER BY table_name"
        }
    };
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

async fn crowd_tally(db: &DatabaseConnection, seller: &str) -> i64 {
    let sql = format!(
        "SELECT votes FROM seller_votes WHERE seller = '{}' AND category = '{CROWD_CATEGORY}'",
        seller.replace('\'', "''")
    );
    db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .map_or(0, |row| row.try_get_by_index::<i64>(0).unwrap())
}

/// The raw pages stored for `user` (paths under the object store).
fn raw_pages_of(app: &TestApp, user: i64) -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            }
            out.push(path);
        }
    }
    let root = app.data_dir().join("raw");
    let mut all = Vec::new();
    walk(&root, &mut all);
    let mine = format!("/{user}/");
    all.into_iter()
        .filter(|p| format!("{}/", p.display()).contains(&mine))
        .collect()
}

/// A user with a row in every table: a synced sandbox account and its
/// card (accounts, transactions, transfers, spending, a sync
/// notification, raw pages), a budget override, an income, a crowd vote,
/// a rule applied to past transactions, a session, and cached views.
/// Returns the seller the vote was cast on and the account's row id.
async fn with_data_everywhere(app: &TestApp, someone: &Someone) -> (String, i64) {
    let account = linked_account(app, &someone.access, "family_erasure").await;
    linked_account(app, &someone.access, "family_erasure+card").await;
    // The sync's notification is stored just after the account turns ACTIVE.
    let db = app.db.connect().await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    let completed = format!(
        "SELECT COUNT(*) FROM notifications WHERE user_id = {} AND kind = 'SYNC_COMPLETED'",
        someone.id
    );
    while count(&db, completed.clone()).await == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no sync notification"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // An imported file: its record, its account and the file itself.
    let (status, imported) = app
        .upload(
            Some(&someone.access),
            "mutation($input: ImportTransactionsInput!) { importTransactions(input: $input) { import { added } userErrors { code } } }",
            json!({ "input": { "file": null } }),
            "mine.csv",
            b"Date,Payee,Amount\n2024-03-01,Corner Shop,-4.20\n".to_vec(),
        )
        .await;
    assert_eq!(status, 200, "{imported}");
    assert_eq!(
        imported["data"]["importTransactions"]["import"]["added"], 1,
        "{imported}"
    );
    let first = app
        .graphql_as(
            &someone.access,
            "{ transactions(first: 1) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let transaction = first["data"]["transactions"]["edges"][0]["node"]["id"]
        .as_str()
        .expect("a synced transaction")
        .to_owned();
    for (query, input) in [
        (
            SET_CATEGORY,
            json!({ "transactionId": transaction, "category": CROWD_CATEGORY }),
        ),
        (
            SET_BUDGET,
            json!({ "category": "FOOD", "amount": "321.00" }),
        ),
        (SET_INCOME, json!({ "monthlyIncome": "4200.00" })),
        (
            CREATE_RULE,
            json!({ "rule": { "name": "Out is out", "conditions": [{ "direction": "OUTFLOW" }], "setDisplayName": "Spent" }, "applyToExisting": true }),
        ),
    ] {
        let body = app
            .graphql_as(&someone.access, query, json!({ "input": input }))
            .await;
        assert!(body["errors"].is_null(), "{body}");
    }
    // Cached views (the read cache fills on these).
    let month = Utc::now().format("%Y-%m").to_string();
    let body = app
        .graphql_as(
            &someone.access,
            "query($m: Month!) { budget(month: $m) { month } monthlySpending(month: $m) { amount } transactions(first: 20) { edges { node { id } } } }",
            json!({ "m": month }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    // A follow-up a dead process left unsettled.
    db.execute_unprepared(&format!(
        "INSERT INTO spending_changes (user_id, month, change_id, marked_at) VALUES ({}, 202601, 1, '2026-01-31 00:00:00')",
        someone.id
    ))
    .await
    .unwrap();
    let sql = format!(
        "SELECT seller_normalized FROM transactions WHERE user_id = {} AND id = {}",
        someone.id,
        row_id(&transaction)
    );
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    (row.try_get_by_index::<String>(0).unwrap(), row_id(&account))
}

#[tokio::test]
async fn deleting_me_erases_every_row_page_and_session_and_frees_the_email() {
    let app = TestApp::spawn().await;
    let db = app.db.connect().await;
    let leaver = sign_up(&app).await;
    let stayer = sign_up(&app).await;
    let (seller, account) = with_data_everywhere(&app, &leaver).await;
    let (stayer_seller, _) = with_data_everywhere(&app, &stayer).await;
    assert_eq!(
        seller, stayer_seller,
        "the same sandbox login, the same seller"
    );
    assert_eq!(crowd_tally(&db, &seller).await, 2);

    // Every user-owned table is covered, and each has rows of the leaver.
    let mut expected: Vec<String> = USER_TABLES.iter().map(|t| (*t).to_owned()).collect();
    expected.sort();
    assert_eq!(tables_with_user_id(&db).await, expected);
    let before = rows_of(&db, &leaver).await;
    assert!(before.values().all(|n| *n > 0), "{before:?}");
    let stayer_before = rows_of(&db, &stayer).await;
    assert!(!raw_pages_of(&app, leaver.id).is_empty());
    let stayer_pages = raw_pages_of(&app, stayer.id);
    assert!(!stayer_pages.is_empty());

    let deleted = app.delete_me(&leaver.access, PASSWORD).await;
    assert_eq!(deleted["userErrors"], json!([]), "{deleted}");
    assert_eq!(
        row_id(deleted["deletedUserId"].as_str().unwrap()),
        leaver.id
    );

    // Nothing of theirs anywhere, table by table; the other user untouched.
    let after = rows_of(&db, &leaver).await;
    assert!(after.values().all(|n| *n == 0), "left behind: {after:?}");
    assert_eq!(rows_of(&db, &stayer).await, stayer_before);
    assert_eq!(crowd_tally(&db, &seller).await, 1, "the vote is withdrawn");
    assert_eq!(
        raw_pages_of(&app, leaver.id),
        Vec::<std::path::PathBuf>::new()
    );
    assert_eq!(raw_pages_of(&app, stayer.id), stayer_pages);

    // Their sessions are over, their password opens nothing.
    let refreshed = app
        .graphql(
            REFRESH,
            json!({ "input": { "refreshToken": leaver.refresh } }),
        )
        .await;
    assert_eq!(
        refreshed["data"]["refreshToken"]["userErrors"][0]["code"], "INVALID_CREDENTIALS",
        "{refreshed}"
    );
    let login = app.login(&leaver.email, PASSWORD).await;
    assert_eq!(login["userErrors"][0]["code"], "INVALID_CREDENTIALS");

    // A sync still queued for their account is done, not retried.
    let job = SyncJob {
        user_id: leaver.id,
        account_id: account,
        reason: SyncReason::Daily,
    };
    let outcome = moneta_workers::jobs::sync_account::run(&app.runtime.worker, &job).await;
    assert_eq!(outcome.unwrap(), SyncOutcome::AccountGone);
    assert!(rows_of(&db, &leaver).await.values().all(|n| *n == 0));

    // The address can register again: a new user.
    let again = app.register(&leaver.email, PASSWORD).await;
    assert_eq!(again["userErrors"], json!([]), "{again}");
    assert_ne!(row_id(again["user"]["id"].as_str().unwrap()), leaver.id);
}

/// Passes once every authenticated request checks that its user is live
/// (issue 12, point 3): until then a deleted user's access token reads
/// empty answers instead of being refused.
#[tokio::test]
async fn a_deleted_users_access_token_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let leaver = sign_up(&app).await;
    let deleted = app.delete_me(&leaver.access, PASSWORD).await;
    assert_eq!(deleted["userErrors"], json!([]), "{deleted}");
    for query in ["{ me { id } }", "{ accounts { id } }"] {
        let body = app.graphql_as(&leaver.access, query, json!({})).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
            "{query}: {body}"
        );
    }
}

#[tokio::test]
async fn a_wrong_password_deletes_nothing() {
    let app = TestApp::spawn().await;
    let db = app.db.connect().await;
    let someone = sign_up(&app).await;
    with_data_everywhere(&app, &someone).await;
    let before = rows_of(&db, &someone).await;
    let pages = raw_pages_of(&app, someone.id);

    let refused = app
        .delete_me(&someone.access, "not my password at all")
        .await;
    assert_eq!(refused["deletedUserId"], Value::Null);
    assert_eq!(
        refused["userErrors"][0]["code"], "INVALID_CREDENTIALS",
        "{refused}"
    );
    assert_eq!(rows_of(&db, &someone).await, before);
    assert_eq!(raw_pages_of(&app, someone.id), pages);
    let me = app
        .graphql_as(&someone.access, "{ me { email } }", json!({}))
        .await;
    assert_eq!(me["data"]["me"]["email"], someone.email.as_str());
    let login = app.login(&someone.email, PASSWORD).await;
    assert_eq!(login["userErrors"], json!([]));
}

#[tokio::test]
async fn an_erasure_interrupted_half_way_finishes_when_run_again() {
    let clock = FixedClock::new(Utc::now());
    let app = TestApp::spawn_with(Options {
        clock: Some(clock.clone()),
        ..Default::default()
    })
    .await;
    let db = app.db.connect().await;
    let leaver = sign_up(&app).await;
    let stayer = sign_up(&app).await;
    with_data_everywhere(&app, &leaver).await;
    let stayer_before = rows_of(&db, &stayer).await;
    let worker = &app.runtime.worker;
    let user = UserId::new(leaver.id);

    // A run that stopped after the mark and the first tables.
    assert!(worker.erasure.mark(user).await.unwrap());
    for table in ["refresh_tokens", "accounts"] {
        db.execute_unprepared(&format!(
            "DELETE FROM {table} WHERE user_id = {}",
            leaver.id
        ))
        .await
        .unwrap();
    }
    // Already refused, though most of their data is still there.
    let login = app.login(&leaver.email, PASSWORD).await;
    assert_eq!(login["userErrors"][0]["code"], "INVALID_CREDENTIALS");
    assert!(rows_of(&db, &leaver).await["transactions"] > 0);
    // Within the grace period it is left to its own request.
    assert_eq!(resume_erasures::run(worker).await.unwrap(), 0);
    assert!(rows_of(&db, &leaver).await["transactions"] > 0);

    // The hourly job finishes it once the grace period is over, and a
    // second run (or a direct resume) finds nothing to do.
    clock.advance(resume_erasures::GRACE + Duration::minutes(1));
    assert_eq!(resume_erasures::run(worker).await.unwrap(), 1);
    let after = rows_of(&db, &leaver).await;
    assert!(after.values().all(|n| *n == 0), "left behind: {after:?}");
    assert!(raw_pages_of(&app, leaver.id).is_empty());
    assert_eq!(resume_erasures::run(worker).await.unwrap(), 0);
    assert!(!worker.erasure.resume(user).await.unwrap().finished);
    assert_eq!(rows_of(&db, &stayer).await, stayer_before);
    let again = app.register(&leaver.email, PASSWORD).await;
    assert_eq!(again["userErrors"], json!([]), "{again}");
}

/// A user marked deleted whose rows are all there: the core function
/// called directly erases them, and is a no-op for live users.
#[tokio::test]
async fn resuming_erases_only_users_marked_deleted() {
    let app = TestApp::spawn().await;
    let db = app.db.connect().await;
    let live = sign_up(&app).await;
    let marked = sign_up(&app).await;
    let erasure = &app.runtime.worker.erasure;
    let before = rows_of(&db, &live).await;
    assert!(!erasure.resume(UserId::new(live.id)).await.unwrap().finished);
    assert_eq!(rows_of(&db, &live).await, before);

    assert!(erasure.mark(UserId::new(marked.id)).await.unwrap());
    let erased = erasure.resume(UserId::new(marked.id)).await.unwrap();
    assert!(erased.finished);
    assert_eq!(erased.rows, 3, "a session, the claim and the user");
    assert!(rows_of(&db, &marked).await.values().all(|n| *n == 0));
    assert!(!erasure.mark(UserId::new(marked.id)).await.unwrap(), "gone");
}

#[tokio::test]
async fn deleting_me_removes_my_cache_keys_from_redis() {
    let Some(url) =
        crate::harness::redis::required_redis_url("deleting_me_removes_my_cache_keys_from_redis")
    else {
        return;
    };
    let app = TestApp::spawn().await;
    let leaver = sign_up(&app).await;
    let stayer = sign_up(&app).await;
    with_data_everywhere(&app, &leaver).await;
    with_data_everywhere(&app, &stayer).await;
    let redis = moneta_platform::redis::Redis::connect(
        &secrecy::SecretString::from(url),
        &app.redis_prefix,
    )
    .await
    .unwrap();
    let keys_of = |user: i64| {
        let redis = redis.clone();
        let pattern = format!("{}:cache:{{u{user}}}:*", app.redis_prefix);
        async move {
            use fred::prelude::ClientLike as _;
            let keys: Vec<String> = redis
                .pool
                .next()
                .custom(fred::cmd!("KEYS"), vec![pattern])
                .await
                .unwrap();
            keys
        }
    };
    assert!(!keys_of(leaver.id).await.is_empty());
    let stayer_keys = keys_of(stayer.id).await;
    assert!(!stayer_keys.is_empty());

    let deleted = app.delete_me(&leaver.access, PASSWORD).await;
    assert_eq!(deleted["userErrors"], json!([]), "{deleted}");
    assert_eq!(keys_of(leaver.id).await, Vec::<String>::new());
    let mut still = keys_of(stayer.id).await;
    still.sort();
    let mut expected = stayer_keys;
    expected.sort();
    assert_eq!(still, expected);
}

const ME: &str = "{ me { id email createdAt monthlyIncome } }";
const ACCOUNTS: &str =
    "{ accounts { id institution login displayName status lastSyncedAt createdAt } }";
const TRANSACTIONS: &str = "query($after: String) { transactions(first: 100, after: $after) { edges { node { id account { id } postedAt seller amount pending category categorySource } } pageInfo { hasNextPage endCursor } } }";
const NOTIFICATIONS: &str = "query($after: String) { notifications(first: 100, after: $after) { edges { node { id kind message category month read createdAt } } pageInfo { hasNextPage endCursor } } }";
const BUDGET: &str = "query($m: Month!) { budget(month: $m) { month monthlyIncome incomeSource categories { category budgeted spent remaining source status } } }";

/// Every node of a paginated field, following the cursors.
async fn every_node(app: &TestApp, token: &str, query: &str, field: &str) -> Vec<Value> {
    let mut nodes = Vec::new();
    let mut after = Value::Null;
    loop {
        let body = app
            .graphql_as(token, query, json!({ "after": after }))
            .await;
        let page = &body["data"][field];
        assert!(page.is_object(), "{body}");
        nodes.extend(
            page["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"].clone()),
        );
        if page["pageInfo"]["hasNextPage"] != true {
            return nodes;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

#[tokio::test]
async fn the_export_is_what_the_api_shows() {
    // It reads everything of two accounts, page by page: past a person's
    // cost budget.
    let app = TestApp::spawn_with(crate::harness::app::Options {
        tweak: Some(Box::new(|s| s.edge.cost_drain_per_sec = 1_000_000)),
        ..Default::default()
    })
    .await;
    let someone = sign_up(&app).await;
    let other = sign_up(&app).await;
    with_data_everywhere(&app, &someone).await;
    with_data_everywhere(&app, &other).await;
    let token = &someone.access;

    let body = app.graphql_as(token, "{ exportMe }", json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
    let export = &body["data"]["exportMe"];
    assert_eq!(export["format"], 1);

    let me = app.graphql_as(token, ME, json!({})).await;
    assert_eq!(export["user"], me["data"]["me"]);
    let accounts = app.graphql_as(token, ACCOUNTS, json!({})).await;
    assert_eq!(export["accounts"], accounts["data"]["accounts"]);
    let transactions = every_node(&app, token, TRANSACTIONS, "transactions").await;
    assert!(transactions.len() > 10);
    assert_eq!(export["transactions"], Value::Array(transactions.clone()));
    let notifications = every_node(&app, token, NOTIFICATIONS, "notifications").await;
    assert!(!notifications.is_empty());
    assert_eq!(export["notifications"], Value::Array(notifications));

    // A budget for every month with a transaction and the month in
    // progress, newest first, each as `budget(month:)` shows it.
    let mut months: Vec<String> = transactions
        .iter()
        .map(|t| t["postedAt"].as_str().unwrap()[..7].to_owned())
        .chain([Utc::now().format("%Y-%m").to_string()])
        .collect();
    months.sort();
    months.dedup();
    months.reverse();
    let budgets = export["budgets"].as_array().unwrap();
    assert_eq!(budgets.len(), months.len());
    for (budget, month) in budgets.iter().zip(&months) {
        let shown = app.graphql_as(token, BUDGET, json!({ "m": month })).await;
        assert_eq!(budget, &shown["data"]["budget"], "{month}");
    }

    // Nothing of the other user's.
    let text = export.to_string();
    assert!(!text.contains(&other.email));
    let other_accounts = app.graphql_as(&other.access, ACCOUNTS, json!({})).await;
    let other_account = other_accounts["data"]["accounts"][0]["id"]
        .as_str()
        .unwrap();
    assert!(!text.contains(other_account));
}
