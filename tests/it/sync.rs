//! Linking accounts and the extraction pipeline, end to end.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone as _, Utc};
use moneta_core::clock::{Clock as _, FixedClock};
use moneta_core::institutions::ProviderTransaction;
use moneta_platform::config::Role;
use moneta_workers::jobs::daily_sync;
use sea_orm::{ColumnTrait as _, EntityTrait as _, PaginatorTrait as _, QueryFilter as _};
use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::harness::app::Options;
use crate::harness::fixtures::{global_id, row_id};
use crate::harness::spending::assert_monthly_spending_matches;

pub const LINK: &str = "mutation($input: LinkAccountInput!) { linkAccount(input: $input) { account { id institution login displayName status lastSyncedAt } userErrors { field message code } } }";
const ACCOUNT: &str = "query($id: ID!) { account(id: $id) { id status lastSyncedAt transactions(first: 5) { edges { node { id seller amount pending category categorySource } } pageInfo { hasNextPage endCursor } } } }";
const REFRESH: &str = "mutation($input: RefreshAccountInput!) { refreshAccount(input: $input) { account { id status } userErrors { code } } }";
pub const UNLINK: &str = "mutation($input: UnlinkAccountInput!) { unlinkAccount(input: $input) { deletedAccountId userErrors { code } } }";

pub fn day(d: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, d, 15, 0, 0).unwrap()
}

/// An API-only server: no consumer of its own races the test for jobs.
async fn api_only_at(clock: &FixedClock) -> TestApp {
    TestApp::spawn_with(Options {
        clock: Some(clock.clone()),
        tweak: Some(Box::new(|s| s.role = Role::Api)),
        ..Default::default()
    })
    .await
}

pub async fn app_at(clock: &FixedClock) -> TestApp {
    TestApp::spawn_with(Options {
        clock: Some(clock.clone()),
        ..Default::default()
    })
    .await
}

pub async fn ground_truth(clock: &FixedClock, login: &str) -> HashMap<String, ProviderTransaction> {
    crate::harness::sandbox::ground_truth(Arc::new(clock.clone()), login).await
}

pub async fn link(app: &TestApp, token: &str, login: &str, password: &str) -> Value {
    app.graphql_as(
        token,
        LINK,
        json!({ "input": { "institution": "sandbox", "login": login, "password": password } }),
    )
    .await["data"]["linkAccount"]
        .clone()
}

/// Asserts that a `linkAccount` payload refused the link with `code` (at
/// `field`, when the error names one) and returned no account.
pub fn assert_link_refused(payload: &Value, code: &str, field: Option<&[&str]>) {
    assert_eq!(payload["account"], Value::Null, "{payload}");
    assert_eq!(payload["userErrors"][0]["code"], code, "{payload}");
    if let Some(field) = field {
        assert_eq!(payload["userErrors"][0]["field"], json!(field), "{payload}");
    }
}

/// Links `login` at the sandbox and waits for its first sync; returns the
/// account's id.
pub async fn linked_account(app: &TestApp, token: &str, login: &str) -> String {
    let account = link(app, token, login, "pass_good").await["account"]["id"]
        .as_str()
        .expect("linked")
        .to_owned();
    wait_for_status(app, token, &account, "ACTIVE").await;
    account
}

/// Waits until the account's status is `status`.
pub async fn wait_for_status(app: &TestApp, token: &str, account: &str, status: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let body = app
            .graphql_as(token, ACCOUNT, json!({ "id": account }))
            .await;
        if body["data"]["account"]["status"] == status {
            if status == "ACTIVE" {
                let user = me_id(app, token).await;
                assert_monthly_spending_matches(app, token, user).await;
            }
            return body["data"]["account"].clone();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "status never became {status}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn me_id(app: &TestApp, token: &str) -> i64 {
    let body = app.graphql_as(token, "{ me { id } }", json!({})).await;
    row_id(body["data"]["me"]["id"].as_str().expect("me"))
}

async fn notifications_of(app: &TestApp, user: i64, kind: &str) -> u64 {
    moneta_entities::notifications::Entity::find()
        .filter(moneta_entities::notifications::Column::UserId.eq(user))
        .filter(moneta_entities::notifications::Column::Kind.eq(kind))
        .count(&app.db.connect().await)
        .await
        .unwrap()
}

/// Syncs run to their end, of any outcome but an infrastructure error
/// (a sync that changed nothing stores no notification, so the job
/// metrics count them: they are observed after the job's last write).
async fn completed_syncs(app: &TestApp) -> u64 {
    let mut total = 0.0;
    for outcome in ["synced", "failed"] {
        total += app
            .metric(&format!(
                r#"moneta_jobs_total{{job="sync-account",outcome="{outcome}"}}"#
            ))
            .await;
    }
    total as u64
}

async fn wait_for_syncs(app: &TestApp, token: &str, user: i64, n: u64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while completed_syncs(app).await < n {
        assert!(
            tokio::time::Instant::now() < deadline,
            "sync {n} never completed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_monthly_spending_matches(app, token, user).await;
}

async fn stored(app: &TestApp, user: i64) -> Vec<moneta_entities::transactions::Model> {
    moneta_entities::transactions::Entity::find()
        .filter(moneta_entities::transactions::Column::UserId.eq(user))
        .all(&app.db.connect().await)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_linked_account_syncs_to_the_sandbox_ground_truth() {
    let clock = FixedClock::new(day(20));
    let app = app_at(&clock).await;
    let (token, _, user_id) = app.signed_up().await;
    let user = row_id(&user_id);

    let linked = link(&app, &token, "user_good", "pass_good").await;
    assert_eq!(linked["userErrors"], json!([]), "{linked}");
    assert_eq!(linked["account"]["institution"], "sandbox");
    assert_eq!(linked["account"]["login"], "user_good");
    assert!(!linked.to_string().contains("pass_good"));
    let account = linked["account"]["id"].as_str().unwrap().to_owned();
    let synced = wait_for_status(&app, &token, &account, "ACTIVE").await;
    assert!(synced["lastSyncedAt"].is_string());
    assert_eq!(synced["transactions"]["edges"].as_array().unwrap().len(), 5);
    assert_eq!(synced["transactions"]["pageInfo"]["hasNextPage"], true);

    let truth = ground_truth(&clock, "user_good").await;
    let rows = stored(&app, user).await;
    assert_eq!(rows.len(), truth.len());
    assert_eq!(
        rows.iter().map(|r| r.amount_cents).sum::<i64>(),
        truth.values().map(|t| t.amount.cents()).sum::<i64>()
    );
    for row in &rows {
        let t = &truth[&row.provider_transaction_id];
        assert_eq!(
            (row.amount_cents, row.pending),
            (t.amount.cents(), t.pending)
        );
    }
    // Most sellers are known; some come from the unknown pool.
    assert!(
        rows.iter()
            .filter(|r| r.category_source == "SELLER_MAP")
            .count()
            * 2
            > rows.len()
    );
    assert!(rows.iter().any(|r| r.category_source == "NONE"));

    // Monthly spending is the sum of the transactions per month and category.
    let mut expected: HashMap<(i32, String), i64> = HashMap::new();
    for r in &rows {
        *expected.entry((r.month, r.category.clone())).or_default() += r.amount_cents;
    }
    let spending: HashMap<(i32, String), i64> = moneta_entities::monthly_spending::Entity::find()
        .filter(moneta_entities::monthly_spending::Column::UserId.eq(user))
        .all(&app.db.connect().await)
        .await
        .unwrap()
        .into_iter()
        .map(|s| ((s.month, s.category), s.amount_cents))
        .collect();
    assert_eq!(spending, expected);

    // The raw pages are kept, and hold no credential.
    let raw_dir = app
        .data_dir()
        .join("raw")
        .join("raw")
        .join(user.to_string());
    let mut pages = 0;
    for entry in walk(&raw_dir) {
        let text = std::fs::read_to_string(&entry).unwrap();
        assert!(!text.contains("pass_good"));
        pages += 1;
    }
    assert!(pages >= 1, "no raw page under {}", raw_dir.display());

    // A second sync of the same day adds nothing.
    app.graphql_as(
        &token,
        REFRESH,
        json!({ "input": { "accountId": account } }),
    )
    .await;
    wait_for_syncs(&app, &token, user, 2).await;
    assert_eq!(stored(&app, user).await.len(), truth.len());
    // …and stores no "synced" notification to bury the alerts under.
    assert_eq!(
        notifications_of(&app, user, "SYNC_COMPLETED").await,
        1,
        "only the sync that changed something left a notification"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                files.extend(walk(&path));
            } else {
                files.push(path);
            }
        }
    }
    files
}

#[tokio::test]
async fn days_later_pending_posts_keeping_the_override_and_changes_apply() {
    let clock = FixedClock::new(day(10));
    let app = app_at(&clock).await;
    let (token, refresh_token, user_id) = app.signed_up().await;
    let user = row_id(&user_id);
    let account = linked_account(&app, &token, "user_good").await;

    let pending = stored(&app, user)
        .await
        .into_iter()
        .find(|r| r.pending)
        .expect("a pending transaction");
    let body = app
        .graphql_as(
            &token,
            "mutation($input: SetTransactionCategoryInput!) { setTransactionCategory(input: $input) { transaction { category } } }",
            json!({ "input": { "transactionId": global_id("Transaction", pending.id), "category": "TRAVEL" } }),
        )
        .await;
    assert_eq!(
        body["data"]["setTransactionCategory"]["transaction"]["category"],
        "TRAVEL"
    );

    // Ten days pass: the pending one posts; some amounts change, some go.
    // (The access token has expired meanwhile; the client renews it.)
    clock.set(day(20));
    let renewed = app
        .graphql(
            "mutation($input: RefreshTokenInput!) { refreshToken(input: $input) { accessToken } }",
            json!({ "input": { "refreshToken": refresh_token } }),
        )
        .await;
    let token = renewed["data"]["refreshToken"]["accessToken"]
        .as_str()
        .expect("renewed access token")
        .to_owned();
    let refreshed = app
        .graphql_as(
            &token,
            REFRESH,
            json!({ "input": { "accountId": account } }),
        )
        .await;
    assert_eq!(
        refreshed["data"]["refreshAccount"]["userErrors"],
        json!([]),
        "{refreshed}"
    );
    wait_for_syncs(&app, &token, user, 2).await;

    let rows = stored(&app, user).await;
    assert!(
        !rows
            .iter()
            .any(|r| r.provider_transaction_id == pending.provider_transaction_id)
    );
    let posted: Vec<_> = rows
        .iter()
        .filter(|r| r.pending_transaction_id.as_deref() == Some(&pending.provider_transaction_id))
        .collect();
    assert_eq!(
        posted.len(),
        1,
        "exactly one posted transaction replaces it"
    );
    assert_eq!(posted[0].user_category.as_deref(), Some("TRAVEL"));
    assert!(!posted[0].pending);

    // Within the sandbox's 90-day window, what is stored is exactly what a
    // fresh sync would deliver (older history is kept, not removed).
    let truth = ground_truth(&clock, "user_good").await;
    let window_start = (day(20) - chrono::Duration::days(89)).date_naive();
    let recent: Vec<_> = rows
        .iter()
        .filter(|r| r.posted_at.date_naive() >= window_start)
        .collect();
    assert_eq!(recent.len(), truth.len());
    for row in recent {
        let t = &truth[&row.provider_transaction_id];
        assert_eq!(
            (row.amount_cents, row.pending),
            (t.amount.cents(), t.pending)
        );
    }
}

#[tokio::test]
async fn refused_logins_and_unknown_institutions_store_nothing() {
    let clock = FixedClock::new(day(20));
    let app = app_at(&clock).await;
    let (token, _, user_id) = app.signed_up().await;
    let wrong = link(&app, &token, "user_good", "not_the_password").await;
    assert!(wrong["account"].is_null());
    assert_eq!(wrong["userErrors"][0]["code"], "INSTITUTION_LOGIN_FAILED");
    assert!(!wrong.to_string().contains("not_the_password"));
    let unknown = app
        .graphql_as(
            &token,
            LINK,
            json!({ "input": { "institution": "megabank", "login": "x", "password": "y" } }),
        )
        .await["data"]["linkAccount"]
        .clone();
    assert_eq!(unknown["userErrors"][0]["code"], "UNKNOWN_INSTITUTION");
    assert_eq!(
        unknown["userErrors"][0]["field"],
        json!(["input", "institution"])
    );
    let empty = link(&app, &token, "", "pass_good").await;
    assert_eq!(empty["userErrors"][0]["code"], "INVALID");
    let count = moneta_entities::accounts::Entity::find()
        .filter(moneta_entities::accounts::Column::UserId.eq(row_id(&user_id)))
        .count(&app.db.connect().await)
        .await
        .unwrap();
    assert_eq!(count, 0);
    let anonymous = app
        .graphql(LINK, json!({ "input": { "institution": "sandbox", "login": "user_good", "password": "pass_good" } }))
        .await;
    assert_eq!(
        anonymous["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );
}

#[tokio::test]
async fn a_login_that_needs_attention_links_then_reports_login_required() {
    let clock = FixedClock::new(day(20));
    let app = app_at(&clock).await;
    let (token, _, user_id) = app.signed_up().await;
    let linked = link(&app, &token, "user_login_required", "pass_good").await;
    assert_eq!(linked["userErrors"], json!([]));
    let account = linked["account"]["id"].as_str().unwrap();
    wait_for_status(&app, &token, account, "LOGIN_REQUIRED").await;
    // The status is written before the notification: wait for it.
    let user = row_id(&user_id);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while notifications_of(&app, user, "SYNC_FAILED").await == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no SYNC_FAILED notification"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(notifications_of(&app, user, "SYNC_FAILED").await, 1);
}

/// A sync that loses the bank after its first page keeps what it applied,
/// with the month's spending (and the cached views) matching it.
#[tokio::test]
async fn a_sync_cut_off_half_way_keeps_spending_consistent_with_what_it_applied() {
    let clock = FixedClock::new(day(20));
    let app = app_at(&clock).await;
    let (token, _, user_id) = app.signed_up().await;
    let user = row_id(&user_id);
    let linked = link(&app, &token, "user_unstable", "pass_good").await;
    let account = linked["account"]["id"].as_str().unwrap();
    wait_for_status(&app, &token, account, "ERROR").await;
    let applied = stored(&app, user).await.len();
    assert!(applied > 0, "the first page was applied");
    assert!(
        applied <= moneta_core::institutions::sandbox::PAGE_SIZE,
        "only the first page"
    );
    assert_monthly_spending_matches(&app, &token, user).await;
}

#[tokio::test]
async fn unlink_removes_the_account_and_everything_of_it() {
    let clock = FixedClock::new(day(20));
    let app = app_at(&clock).await;
    let (token, _, user_id) = app.signed_up().await;
    let user = row_id(&user_id);
    let account = linked_account(&app, &token, "user_good").await;
    let other = linked_account(&app, &token, "user_other").await;
    let before = stored(&app, user).await.len();

    let out = app
        .graphql_as(&token, UNLINK, json!({ "input": { "accountId": account } }))
        .await;
    assert_eq!(
        out["data"]["unlinkAccount"]["deletedAccountId"],
        account.as_str()
    );
    let rows = stored(&app, user).await;
    assert!(rows.len() < before);
    assert!(rows.iter().all(|r| r.account_id == row_id(&other)));
    let spent: i64 = moneta_entities::monthly_spending::Entity::find()
        .filter(moneta_entities::monthly_spending::Column::UserId.eq(user))
        .all(&app.db.connect().await)
        .await
        .unwrap()
        .iter()
        .map(|s| s.amount_cents)
        .sum();
    assert_eq!(spent, rows.iter().map(|r| r.amount_cents).sum::<i64>());
    let gone = app
        .graphql_as(&token, ACCOUNT, json!({ "id": account }))
        .await;
    assert!(gone["data"]["account"].is_null());
    let again = app
        .graphql_as(&token, UNLINK, json!({ "input": { "accountId": account } }))
        .await;
    assert_eq!(again["errors"][0]["extensions"]["code"], "NOT_FOUND");
}

#[tokio::test]
async fn another_user_sees_nothing_of_mine_whatever_id_they_send() {
    let clock = FixedClock::new(day(20));
    let app = app_at(&clock).await;
    let (alice, _, alice_id) = app.signed_up().await;
    let (bob, _, _) = app.signed_up().await;
    let account = linked_account(&app, &alice, "user_good").await;
    let transaction = stored(&app, row_id(&alice_id)).await[0].id;

    let body = app
        .graphql_as(&bob, ACCOUNT, json!({ "id": account }))
        .await;
    assert!(body["data"]["account"].is_null(), "{body}");
    let node = app
        .graphql_as(
            &bob,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": global_id("Transaction", transaction) }),
        )
        .await;
    assert!(node["data"]["node"].is_null(), "{node}");
    let listed = app
        .graphql_as(
            &bob,
            "query($f: TransactionFilter) { transactions(first: 100, filter: $f) { edges { node { id } } } accounts { id } }",
            json!({ "f": { "accountId": account } }),
        )
        .await;
    assert_eq!(listed["data"]["transactions"]["edges"], json!([]));
    assert_eq!(listed["data"]["accounts"], json!([]));
    for mutation in [REFRESH, UNLINK] {
        let out = app
            .graphql_as(&bob, mutation, json!({ "input": { "accountId": account } }))
            .await;
        assert_eq!(out["errors"][0]["extensions"]["code"], "NOT_FOUND", "{out}");
    }
    // Alice's account is untouched.
    wait_for_status(&app, &alice, &account, "ACTIVE").await;
}

#[tokio::test]
async fn transactions_page_newest_first_without_gaps_or_repeats() {
    let clock = FixedClock::new(day(20));
    let app = app_at(&clock).await;
    let (token, _, user_id) = app.signed_up().await;
    linked_account(&app, &token, "user_good").await;
    let total = stored(&app, row_id(&user_id)).await.len();

    let query = "query($after: String) { transactions(first: 37, after: $after) { edges { cursor node { id postedAt } } pageInfo { hasNextPage endCursor } } }";
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let body = app
            .graphql_as(&token, query, json!({ "after": after }))
            .await;
        let conn = &body["data"]["transactions"];
        for edge in conn["edges"].as_array().unwrap() {
            seen.push((
                edge["node"]["postedAt"].as_str().unwrap().to_owned(),
                edge["node"]["id"].as_str().unwrap().to_owned(),
            ));
        }
        if conn["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = conn["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen.len(), total);
    let unique: std::collections::HashSet<_> = seen.iter().map(|(_, id)| id).collect();
    assert_eq!(unique.len(), total);
    assert!(seen.windows(2).all(|w| w[0].0 >= w[1].0), "newest first");

    for first in [0, 101, -1] {
        let body = app
            .graphql_as(
                &token,
                "query($n: Int) { transactions(first: $n) { edges { cursor } } }",
                json!({ "n": first }),
            )
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{body}"
        );
    }
    let bad_cursor = app
        .graphql_as(
            &token,
            "{ transactions(after: \"nonsense\") { edges { cursor } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        bad_cursor["errors"][0]["extensions"]["code"],
        "BAD_USER_INPUT"
    );
}

/// Search by seller: every stored transaction whose seller contains the
/// text in any case, and only those, across pages; wildcards are literal,
/// blank is no filter, an overlong search is refused.
#[tokio::test]
async fn transactions_are_searched_by_seller_in_any_case() {
    let clock = FixedClock::new(day(20));
    let app = app_at(&clock).await;
    let (token, _, user_id) = app.signed_up().await;
    linked_account(&app, &token, "user_good").await;
    let rows = stored(&app, row_id(&user_id)).await;
    let seller = rows
        .iter()
        .map(|row| row.seller_raw.clone())
        .find(|seller| seller.len() > 6)
        .expect("a seller");
    let needle: String = seller.chars().skip(1).take(5).collect();
    let expected = |text: &str| -> std::collections::HashSet<i64> {
        let text = text.trim().to_lowercase();
        rows.iter()
            .filter(|row| {
                row.seller_raw.to_lowercase().contains(&text)
                    || row
                        .display_name
                        .as_deref()
                        .is_some_and(|name| name.to_lowercase().contains(&text))
            })
            .map(|row| row.id)
            .collect()
    };
    let query = "query($after: String, $filter: TransactionFilter) { transactions(first: 7, after: $after, filter: $filter) { edges { node { id seller } } pageInfo { hasNextPage endCursor } } }";
    let search = |text: String| {
        let (app, token) = (&app, &token);
        async move {
            let mut found = std::collections::HashSet::new();
            let mut after = Value::Null;
            loop {
                let body = app
                    .graphql_as(
                        token,
                        query,
                        json!({ "after": after, "filter": { "seller": text } }),
                    )
                    .await;
                let conn = &body["data"]["transactions"];
                for edge in conn["edges"].as_array().expect("edges") {
                    let id = edge["node"]["id"].as_str().expect("id");
                    found.insert(row_id(id));
                }
                if conn["pageInfo"]["hasNextPage"] != true {
                    return found;
                }
                after = conn["pageInfo"]["endCursor"].clone();
            }
        }
    };
    let matching = expected(&needle);
    assert!(
        !matching.is_empty() && matching.len() < rows.len(),
        "{needle}"
    );
    assert_eq!(search(needle.to_uppercase()).await, matching, "{needle}");
    assert_eq!(
        search(format!("  {}  ", needle.to_lowercase())).await,
        matching
    );
    // Wildcards match themselves only (`%` alone would match everything).
    assert_eq!(search("%".to_owned()).await, expected("%"), "% is literal");
    assert_eq!(search("_".to_owned()).await, expected("_"), "_ is literal");
    assert_eq!(search("   ".to_owned()).await.len(), rows.len(), "blank");
    let refused = app
        .graphql_as(
            &token,
            query,
            json!({ "filter": { "seller": "x".repeat(101) } }),
        )
        .await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{refused}"
    );
}

/// A worker that takes a job and dies before acknowledging it: the job is
/// reclaimed and processed once — nothing lost, nothing duplicated.
#[tokio::test]
async fn a_job_taken_by_a_dead_worker_is_reclaimed_and_done_once() {
    let clock = FixedClock::new(day(20));
    // An API-only server: no consumer of its own races the test.
    let app = api_only_at(&clock).await;
    let (token, _, user_id) = app.signed_up().await;
    let user = row_id(&user_id);
    let account = link(&app, &token, "user_good", "pass_good").await["account"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let worker = &app.runtime.worker;

    // The doomed worker takes the job and vanishes.
    let taken = worker
        .queue
        .next("doomed", Duration::from_secs(2))
        .await
        .unwrap()
        .expect("the link queued a job");
    assert_eq!(taken.job.account_id, row_id(&account));
    drop(taken);

    // Nothing new is there for a healthy worker until the reclaim timeout…
    assert!(
        worker
            .queue
            .next("rescuer", Duration::from_millis(100))
            .await
            .unwrap()
            .is_none()
    );
    // …after which it takes the job over and completes it.
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    moneta_workers::consumer::consume_one(worker, "rescuer").await;
    wait_for_status(&app, &token, &account, "ACTIVE").await;
    let truth = ground_truth(&clock, "user_good").await;
    assert_eq!(stored(&app, user).await.len(), truth.len());
    // Acknowledged: it is not delivered again.
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    assert!(
        worker
            .queue
            .next("rescuer", Duration::from_millis(100))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(completed_syncs(&app).await, 1);
}

#[tokio::test]
async fn the_daily_job_queues_active_users_accounts() {
    let clock = FixedClock::new(day(20));
    let app = api_only_at(&clock).await;
    let (token, _, _) = app.signed_up().await;
    link(&app, &token, "user_good", "pass_good").await;
    link(&app, &token, "user_other", "pass_good").await;
    let worker = &app.runtime.worker;
    // Drain the link jobs.
    drain(worker).await;
    let queued = daily_sync::resume_today(worker).await.unwrap();
    assert_eq!(queued, 2);
    // The day is done: later ticks of the same day queue nothing.
    assert_eq!(daily_sync::resume_today(worker).await.unwrap(), 0);
    // A month later, without activity, nobody is queued.
    clock.set(Utc.with_ymd_and_hms(2027, 1, 5, 6, 0, 0).unwrap());
    assert_eq!(daily_sync::resume_today(worker).await.unwrap(), 0);
}

/// Drains the queue; returns the user ids of the jobs in it.
async fn drain(worker: &moneta_workers::WorkerContext) -> Vec<i64> {
    let mut users = Vec::new();
    while let Some(d) = worker
        .queue
        .next("t", Duration::from_millis(100))
        .await
        .unwrap()
    {
        users.push(d.job.user_id);
        worker.queue.ack(&d).await.unwrap();
    }
    users
}

#[tokio::test]
async fn a_daily_scan_whose_worker_died_is_finished_by_another_from_its_checkpoint() {
    let clock = FixedClock::new(day(20));
    let app = api_only_at(&clock).await;
    let mut users = Vec::new();
    for _ in 0..3 {
        let (token, _, _) = app.signed_up().await;
        link(&app, &token, "user_good", "pass_good").await;
        users.push(me_id(&app, &token).await);
    }
    users.sort_unstable();
    let worker = &app.runtime.worker;
    drain(worker).await;

    // A worker took today's lease, queued the first user's batch, saved
    // the checkpoint, and died: its lease is no longer renewed.
    let today = clock.now().format("%Y-%m-%d").to_string();
    let dead = worker
        .leases
        .acquire(&format!("daily-sync:{today}"), Duration::from_millis(500))
        .await
        .unwrap();
    assert!(dead.is_some());
    worker
        .checkpoints
        .save(
            &daily_sync::checkpoint(&today),
            &users[0].to_string(),
            Duration::from_secs(3600),
        )
        .await
        .unwrap();
    // While its lease lasts, nobody else scans…
    assert_eq!(
        daily_sync::resume_today_in_batches(worker, 1)
            .await
            .unwrap(),
        0
    );
    // …and once it lapsed, the next tick finishes the day after the
    // checkpoint: the remaining users, each once.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let queued = loop {
        let queued = daily_sync::resume_today_in_batches(worker, 1)
            .await
            .unwrap();
        if queued > 0 {
            break queued;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the lease never lapsed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(queued, 2);
    let mut queued_users = drain(worker).await;
    queued_users.sort_unstable();
    assert_eq!(queued_users, users[1..].to_vec());
    // Done for the day.
    assert_eq!(
        daily_sync::resume_today_in_batches(worker, 1)
            .await
            .unwrap(),
        0
    );
    assert!(drain(worker).await.is_empty());
}

/// A sync finished by the worker of one process reaches a subscriber
/// connected to another (through Redis; in one process without it).
#[tokio::test]
async fn a_sync_event_reaches_a_subscriber_on_another_api_process() {
    let clock = FixedClock::new(day(20));
    let worker = app_at(&clock).await;
    let with_redis = std::env::var("MONETA_TEST_REDIS_URL").is_ok_and(|u| !u.is_empty());
    let api = if with_redis {
        Some(worker.replica(Role::Api, Some(clock.clone())).await)
    } else {
        None
    };
    let api = api.as_ref().unwrap_or(&worker);
    let (token, _, _) = api.signed_up().await;
    let (other_token, _, _) = api.signed_up().await;

    let mut mine = api.ws().await;
    mine.init_as(&token).await;
    mine.subscribe(
        "s",
        "subscription { accountSynced { account { id status } added modified removed } }",
    )
    .await;
    let mut theirs = api.ws().await;
    theirs.init_as(&other_token).await;
    theirs
        .subscribe(
            "s",
            "subscription { accountSynced { account { id } added } }",
        )
        .await;
    // Let the subscriptions register before the sync can finish.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let account = link(api, &token, "user_good", "pass_good").await["account"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let message = mine.next_message().await;
    assert_eq!(message["type"], "next", "{message}");
    let event = &message["payload"]["data"]["accountSynced"];
    assert_eq!(event["account"]["id"], account.as_str());
    assert_eq!(event["account"]["status"], "ACTIVE");
    assert!(event["added"].as_i64().unwrap() > 250, "{event}");
    assert!(
        theirs
            .try_next_message(Duration::from_millis(500))
            .await
            .is_none()
    );
}

/// A user's override of a posted transaction survives every later sync.
#[tokio::test]
async fn an_override_survives_resyncs() {
    let clock = FixedClock::new(day(10));
    let app = app_at(&clock).await;
    let (token, refresh_token, user_id) = app.signed_up().await;
    let user = row_id(&user_id);
    let account = linked_account(&app, &token, "user_good").await;
    let rows = stored(&app, user).await;
    let target = rows
        .iter()
        .find(|r| !r.pending && r.category_source == "SELLER_MAP")
        .unwrap();
    let same_seller: Vec<i64> = rows
        .iter()
        .filter(|r| r.seller_normalized == target.seller_normalized && r.id != target.id)
        .map(|r| r.id)
        .collect();
    app.graphql_as(
        &token,
        "mutation($input: SetTransactionCategoryInput!) { setTransactionCategory(input: $input) { transaction { id } } }",
        json!({ "input": { "transactionId": global_id("Transaction", target.id), "category": "TRAVEL" } }),
    )
    .await;

    clock.set(day(12));
    let token = app
        .graphql(
            "mutation($input: RefreshTokenInput!) { refreshToken(input: $input) { accessToken } }",
            json!({ "input": { "refreshToken": refresh_token } }),
        )
        .await["data"]["refreshToken"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    for n in 2..=3 {
        app.graphql_as(
            &token,
            REFRESH,
            json!({ "input": { "accountId": account } }),
        )
        .await;
        wait_for_syncs(&app, &token, user, n).await;
    }
    let after = stored(&app, user).await;
    let kept = after.iter().find(|r| r.id == target.id).unwrap();
    assert_eq!(kept.user_category.as_deref(), Some("TRAVEL"));
    for id in same_seller {
        if let Some(other) = after.iter().find(|r| r.id == id) {
            assert_eq!(
                other.user_category, None,
                "only the chosen transaction changes"
            );
        }
    }
}

/// Credentials that no longer open (a rotated key, a damaged row) end the
/// job at once — the account asks for a new link — instead of retrying.
#[tokio::test]
async fn credentials_that_do_not_open_ask_the_user_to_link_again() {
    let clock = FixedClock::new(day(20));
    let app = app_at(&clock).await;
    let (token, _, user_id) = app.signed_up().await;
    let account = linked_account(&app, &token, "user_good").await;
    moneta_entities::accounts::Entity::update_many()
        .filter(moneta_entities::accounts::Column::UserId.eq(row_id(&user_id)))
        .col_expr(
            moneta_entities::accounts::Column::CredentialsCiphertext,
            sea_orm::sea_query::Expr::value(vec![1_u8, 2, 3]),
        )
        .filter(moneta_entities::accounts::Column::Id.eq(row_id(&account)))
        .exec(&app.db.connect().await)
        .await
        .unwrap();
    app.graphql_as(
        &token,
        REFRESH,
        json!({ "input": { "accountId": account } }),
    )
    .await;
    wait_for_status(&app, &token, &account, "LOGIN_REQUIRED").await;
    // Linking again repairs it.
    assert_eq!(
        link(&app, &token, "user_good", "pass_good").await["userErrors"],
        json!([])
    );
    wait_for_status(&app, &token, &account, "ACTIVE").await;
}

/// Authenticated requests mark the user active, at most once an hour.
#[tokio::test]
async fn requests_keep_the_user_active_for_the_daily_sync() {
    let clock = FixedClock::new(day(20));
    let app = app_at(&clock).await;
    let (_, _, user_id) = app.signed_up().await;
    let user = row_id(&user_id);
    let last_active = || async {
        moneta_entities::users::Entity::find_by_id(user)
            .one(&app.db.connect().await)
            .await
            .unwrap()
            .unwrap()
            .last_active_at
            .unwrap()
    };
    let signed_up_at = last_active().await;
    let token_at = |now: chrono::DateTime<Utc>| {
        let claims = json!({ "sub": user.to_string(), "iss": "moneta", "aud": "moneta-api", "iat": now.timestamp(), "nbf": now.timestamp(), "exp": now.timestamp() + 900, "sid": 1 });
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(app.jwt_secret.as_bytes()),
        )
        .unwrap()
    };
    let me = |token: String| {
        let app = &app;
        async move { app.graphql_as(&token, "{ me { id } }", json!({})).await }
    };

    // Within the hour: no write.
    clock.advance(chrono::Duration::minutes(30));
    me(token_at(clock_now(&clock))).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(last_active().await, signed_up_at);

    // Two hours later: recorded.
    clock.advance(chrono::Duration::hours(2));
    let now = clock_now(&clock);
    me(token_at(now)).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while last_active().await == signed_up_at {
        assert!(
            tokio::time::Instant::now() < deadline,
            "activity never recorded"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(last_active().await.timestamp(), now.timestamp());
}

fn clock_now(clock: &FixedClock) -> chrono::DateTime<Utc> {
    use moneta_core::clock::Clock as _;
    clock.now()
}

async fn statements_sent(app: &TestApp) -> u64 {
    app.metric("moneta_db_statements_total{outcome=\"ok\"}")
        .await as u64
}

/// A 100-transaction page with each transaction's account costs a small,
/// constant number of SQL statements, not one per transaction (no N+1).
#[tokio::test]
async fn a_page_with_accounts_costs_a_constant_number_of_statements() {
    let clock = FixedClock::new(day(20));
    let app = app_at(&clock).await;
    let (token, _, _) = app.signed_up().await;
    for login in ["user_good", "user_other"] {
        let account = link(&app, &token, login, "pass_good").await["account"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        wait_for_status(&app, &token, &account, "ACTIVE").await;
    }
    // The syncs' last writes (spending, notifications) and the activity
    // write of these requests land after the status reads ACTIVE: wait
    // until the server sends no statement for a while.
    let mut quiet = 0;
    let mut last = statements_sent(&app).await;
    while quiet < 3 {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let now = statements_sent(&app).await;
        quiet = if now == last { quiet + 1 } else { 0 };
        last = now;
    }
    let page = "{ transactions(first: 100) { edges { node { id amount account { id displayName institution } } } } }";
    // The fewest of three reads: the scheduler's minute ticks (the
    // sweeper's scan) may land inside one read's window, not in all.
    let mut sent = u64::MAX;
    let mut body = Value::Null;
    for _ in 0..3 {
        let before = statements_sent(&app).await;
        body = app.graphql_as(&token, page, json!({})).await;
        sent = sent.min(statements_sent(&app).await - before);
    }
    let edges = body["data"]["transactions"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 100);
    let accounts: std::collections::HashSet<&str> = edges
        .iter()
        .map(|e| e["node"]["account"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(accounts.len(), 2, "the page spans both accounts");
    // The page and its accounts' batch, and at most the hourly activity
    // write. On a loaded machine the 100 resolvers may outlast the
    // loader's 1 ms batching window and split the batch in two: still a
    // constant, where one query per transaction would be over 100.
    assert!(sent <= 4, "{sent} statements for one page");
}
