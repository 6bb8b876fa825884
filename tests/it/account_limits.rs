//! What a user may link: only the deployment's institutions, a bounded
//! number of accounts, and links and refreshes at a bounded rate.

use moneta_platform::config::{Environment, TrustedDocuments};
use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::harness::app::{Options, Tweak};
use crate::harness::fixtures::{global_id, insert_account, row_id};
use crate::sync::{UNLINK, assert_link_refused, link, linked_account};

const ACCOUNTS: &str = "{ accounts { id login } }";
const REFRESH: &str = "mutation($input: RefreshAccountInput!) { refreshAccount(input: $input) { account { id } userErrors { code } } }";

async fn app_with(
    tweak: impl FnOnce(&mut moneta_platform::config::Settings) + Send + 'static,
) -> TestApp {
    TestApp::spawn_with(Options {
        tweak: Some(Box::new(tweak)),
        ..Default::default()
    })
    .await
}

async fn logins(app: &TestApp, token: &str) -> Vec<String> {
    let body = app.graphql_as(token, ACCOUNTS, json!({})).await;
    let mut logins: Vec<String> = body["data"]["accounts"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|a| a["login"].as_str().unwrap().to_owned())
        .collect();
    logins.sort();
    logins
}

async fn refresh(app: &TestApp, token: &str, account: &str) -> Value {
    app.graphql_as(token, REFRESH, json!({ "input": { "accountId": account } }))
        .await
}

fn rate_limited(body: &Value) -> bool {
    let ext = &body["errors"][0]["extensions"];
    ext["code"] == "RATE_LIMITED" && ext["retryAfter"].as_u64().is_some_and(|r| r > 0)
}

#[tokio::test]
async fn the_sandbox_is_refused_in_production_unless_listed() {
    let cases: Vec<(&str, Tweak, bool)> = vec![
        (
            "production",
            Box::new(|s| {
                s.env = Environment::Production;
                // The test sends its own documents, not the clients'.
                s.edge.trusted_documents = Some(TrustedDocuments::Allow);
            }),
            false,
        ),
        (
            "production, listed",
            Box::new(|s| {
                s.env = Environment::Production;
                s.edge.trusted_documents = Some(TrustedDocuments::Allow);
                s.edge.institutions = Some(vec!["sandbox".to_owned()]);
            }),
            true,
        ),
        ("dev", Box::new(|_| {}), true),
        (
            "dev, none listed",
            Box::new(|s| s.edge.institutions = Some(Vec::new())),
            false,
        ),
    ];
    for (label, tweak, linkable) in cases {
        let app = app_with(tweak).await;
        let (token, _, _) = app.signed_up().await;
        let payload = link(&app, &token, "user_good", "pass_good").await;
        if linkable {
            assert_eq!(payload["userErrors"], json!([]), "{label}: {payload}");
            assert_eq!(logins(&app, &token).await, ["user_good"], "{label}");
        } else {
            assert_link_refused(
                &payload,
                "UNKNOWN_INSTITUTION",
                Some(&["input", "institution"]),
            );
            assert!(logins(&app, &token).await.is_empty(), "{label}");
        }
    }
}

#[tokio::test]
async fn a_user_has_a_bounded_number_of_accounts() {
    let app = app_with(|s| s.edge.max_accounts_per_user = 2).await;
    let (token, _, _) = app.signed_up().await;
    // Each sync finishes before the unlink below: on SQLite an unlink
    // racing a sync's write can find the database locked.
    let first = linked_account(&app, &token, "user_a").await;
    linked_account(&app, &token, "user_b").await;
    let refused = link(&app, &token, "user_c", "pass_good").await;
    assert_link_refused(&refused, "TOO_MANY_ACCOUNTS", None);
    assert_eq!(logins(&app, &token).await, ["user_a", "user_b"]);
    // Another user has room of their own.
    let (other, _, _) = app.signed_up().await;
    linked_account(&app, &other, "user_c").await;
    // Unlinking makes room.
    let unlinked = app
        .graphql_as(&token, UNLINK, json!({ "input": { "accountId": first } }))
        .await;
    assert_eq!(
        unlinked["data"]["unlinkAccount"]["deletedAccountId"], first,
        "{unlinked}"
    );
    let payload = link(&app, &token, "user_c", "pass_good").await;
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    // Full again: linking a login again replaces its credentials (no new
    // account), a new one is refused.
    let again = link(&app, &token, "user_b", "pass_good").await;
    assert_eq!(again["userErrors"], json!([]), "{again}");
    let refused = link(&app, &token, "user_d", "pass_good").await;
    assert_link_refused(&refused, "TOO_MANY_ACCOUNTS", None);
    assert_eq!(logins(&app, &token).await, ["user_b", "user_c"]);
}

#[tokio::test]
async fn linking_is_rate_limited_per_user() {
    let app = TestApp::spawn().await;
    let (token, _, _) = app.signed_up().await;
    // Refused logins count too: each asked the institution.
    for n in 0..20 {
        let payload = link(&app, &token, &format!("user_{n}"), "wrong password").await;
        assert_eq!(
            payload["userErrors"][0]["code"], "INSTITUTION_LOGIN_FAILED",
            "{payload}"
        );
    }
    let body = app
        .graphql_as(
            &token,
            crate::sync::LINK,
            json!({ "input": { "institution": "sandbox", "login": "user_good", "password": "pass_good" } }),
        )
        .await;
    assert!(rate_limited(&body), "{body}");
    assert!(logins(&app, &token).await.is_empty());
    // Another user is not affected.
    let (other, _, _) = app.signed_up().await;
    assert_eq!(
        link(&app, &other, "user_good", "pass_good").await["userErrors"],
        json!([])
    );
}

#[tokio::test]
async fn refreshing_is_rate_limited_per_user() {
    let app = TestApp::spawn().await;
    let (token, _, user_id) = app.signed_up().await;
    let db = app.db.connect().await;
    insert_account(&db, row_id(&user_id), 7).await;
    let account = global_id("Account", 7);
    // Every refresh counts, an unknown account's too.
    let unknown = global_id("Account", 8);
    for _ in 0..60 {
        let body = refresh(&app, &token, &unknown).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "NOT_FOUND",
            "{body}"
        );
    }
    let depth = app.runtime.worker.queue.depth().await.unwrap();
    let body = refresh(&app, &token, &account).await;
    assert!(rate_limited(&body), "{body}");
    assert_eq!(
        app.runtime.worker.queue.depth().await.unwrap(),
        depth,
        "nothing queued"
    );
    // Another user is not affected.
    let (other, _, other_id) = app.signed_up().await;
    insert_account(&db, row_id(&other_id), 9).await;
    let body = refresh(&app, &other, &global_id("Account", 9)).await;
    assert_eq!(
        body["data"]["refreshAccount"]["userErrors"],
        json!([]),
        "{body}"
    );
}
