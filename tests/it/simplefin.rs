//! The SimpleFIN connector against a local stand-in that follows the
//! published protocol: off unless enabled; a setup token links every
//! account of its connection (the token is claimed once, the access URL
//! kept sealed and used by every later sync); syncs bring the accounts'
//! transactions, report the server's `errlist` to the user, and a revoked
//! access asks the user to sign in again. A token naming another origin
//! is refused without a request.

use std::time::Duration;

use base64::Engine as _;
use chrono::Utc;
use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::harness::app::Options;
use crate::harness::simplefin::StandIn;
use crate::sync::wait_for_status;

const LINK: &str = "mutation($input: LinkAccountInput!) { linkAccount(input: $input) { account { id } accounts { id institution login displayName status currency } userErrors { code message } } }";
const REFRESH: &str = "mutation($input: RefreshAccountInput!) { refreshAccount(input: $input) { account { id } userErrors { code } } }";
const NOTES: &str = "{ notifications(first: 20) { edges { node { kind message } } } }";

fn accounts() -> Vec<Value> {
    let day = |n: i64| Utc::now().timestamp() - n * 86_400;
    vec![
        json!({
            "org": { "domain": "standin.example", "name": "Stand-in Bank" },
            "id": "ACT-checking", "name": "Checking", "currency": "USD",
            "balance": "1000.00", "available-balance": "1000.00", "balance-date": day(0),
            "transactions": [
                { "id": "TRN-1", "posted": day(1), "amount": "-4.50", "description": "STARBUCKS STORE 100", "payee": "Starbucks" },
                { "id": "TRN-2", "posted": day(2), "amount": "2500.00", "description": "PAYROLL ACME" },
                { "id": "TRN-3", "posted": day(120), "amount": "-99.00", "description": "TOO OLD FOR THE FIRST SYNC" },
                { "id": "TRN-4", "posted": 0, "amount": "-15.00", "description": "PENDING GROCER", "pending": true, "transacted_at": day(0) }
            ]
        }),
        json!({
            "org": { "domain": "standin.example", "name": "Stand-in Bank" },
            "id": "ACT-card", "name": "Card", "currency": "USD",
            "balance": "-20.00", "available-balance": "980.00", "balance-date": day(0),
            "transactions": [
                { "id": "TRN-9", "posted": day(3), "amount": "-20.00", "description": "SHELL OIL 123" }
            ]
        }),
    ]
}

async fn app_for(stand_in: &StandIn) -> TestApp {
    let origin = stand_in.origin.clone();
    TestApp::spawn_with(Options {
        tweak: Some(Box::new(move |s| {
            s.edge.institutions = Some(vec!["sandbox".into(), "simplefin".into()]);
            s.edge.simplefin_origins = vec![origin];
        })),
        ..Options::default()
    })
    .await
}

async fn link(app: &TestApp, token: &str, setup: &str) -> Value {
    let body = app
        .graphql_as(
            token,
            LINK,
            json!({ "input": { "institution": "simplefin", "login": "simplefin", "password": setup } }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["linkAccount"].clone()
}

/// The account's transactions' ids.
async fn transaction_ids(app: &TestApp, token: &str, account: &str) -> Vec<String> {
    let body = app
        .graphql_as(
            token,
            "query($id: ID!) { account(id: $id) { transactions(first: 50) { edges { node { seller amount pending } } } } }",
            json!({ "id": account }),
        )
        .await;
    let mut sellers: Vec<String> = body["data"]["account"]["transactions"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["node"]["seller"].as_str().unwrap(),
                e["node"]["amount"].as_str().unwrap()
            )
        })
        .collect();
    sellers.sort();
    sellers
}

/// Waits until a notification's message contains `text`.
async fn wait_for_note(app: &TestApp, token: &str, text: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let body = app.graphql_as(token, NOTES, json!({})).await;
        let notes = body["data"]["notifications"]["edges"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if let Some(note) = notes.iter().find(|n| {
            n["node"]["message"]
                .as_str()
                .is_some_and(|m| m.contains(text))
        }) {
            return note["node"].clone();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no notification says {text:?}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_setup_token_links_every_account_and_syncs_them() {
    let stand_in = StandIn::start(accounts()).await;
    let app = app_for(&stand_in).await;
    let (token, _, _) = app.signed_up().await;
    let setup = stand_in.setup_token();
    let linked = link(&app, &token, &setup).await;
    assert_eq!(linked["userErrors"], json!([]), "{linked}");
    let all = linked["accounts"].as_array().unwrap().clone();
    assert_eq!(
        all.len(),
        2,
        "one link, the connection's two accounts: {linked}"
    );
    assert_eq!(all[0]["institution"], "simplefin");
    assert_eq!(all[0]["displayName"], "Stand-in Bank Checking");
    assert_eq!(all[0]["currency"], "USD");
    let checking = all[0]["id"].as_str().unwrap().to_owned();
    let card = all[1]["id"].as_str().unwrap().to_owned();
    wait_for_status(&app, &token, &checking, "ACTIVE").await;
    wait_for_status(&app, &token, &card, "ACTIVE").await;
    // The first sync asks for 90 days with pending: the old one is not
    // brought, the pending one is; amounts in Moneta's sign.
    assert_eq!(
        transaction_ids(&app, &token, &checking).await,
        [
            "PAYROLL ACME -2500.00",
            "PENDING GROCER 15.00",
            "Starbucks 4.50"
        ]
    );
    assert_eq!(
        transaction_ids(&app, &token, &card).await,
        ["SHELL OIL 123 20.00"]
    );
    let asked = stand_in.with(|s| s.requests.clone());
    assert!(
        asked.iter().any(|q| q.contains("account=ACT-checking")
            && q.contains("pending=1")
            && q.contains("start-date=")),
        "{asked:?}"
    );

    // The token was claimed once; linking with it again is refused, yet
    // the kept access URL syncs on.
    let again = link(&app, &token, &setup).await;
    assert_eq!(
        again["userErrors"][0]["code"], "INSTITUTION_LOGIN_FAILED",
        "{again}"
    );
    stand_in.with(|s| {
        s.errlist = vec![json!({ "code": "act.sync", "message": "Stand-in Bank is slow to answer; some transactions may be missing", "account_id": "ACT-checking" })];
        s.accounts[0]["transactions"].as_array_mut().unwrap().push(json!({ "id": "TRN-5", "posted": Utc::now().timestamp(), "amount": "-8.00", "description": "CHIPOTLE 77" }));
    });
    let refreshed = app
        .graphql_as(
            &token,
            REFRESH,
            json!({ "input": { "accountId": checking } }),
        )
        .await;
    assert_eq!(
        refreshed["data"]["refreshAccount"]["userErrors"],
        json!([]),
        "{refreshed}"
    );
    let note = wait_for_note(&app, &token, "slow to answer").await;
    assert_eq!(note["kind"], "SYNC_COMPLETED", "{note}");
    assert!(
        note["message"].as_str().unwrap().contains("1 new"),
        "{note}"
    );
    assert!(
        transaction_ids(&app, &token, &checking)
            .await
            .contains(&"CHIPOTLE 77 8.00".to_owned())
    );
    // A later sync asks again from a week before the last one.
    let last = stand_in.with(|s| s.requests.last().cloned().unwrap_or_default());
    let start: i64 = last
        .split('&')
        .find_map(|p| p.strip_prefix("start-date="))
        .unwrap()
        .parse()
        .unwrap();
    assert!(start > Utc::now().timestamp() - 8 * 86_400, "{last}");

    // The user revoked the access: sign in again.
    stand_in.with(|s| s.revoked = true);
    app.graphql_as(&token, REFRESH, json!({ "input": { "accountId": card } }))
        .await;
    wait_for_status(&app, &token, &card, "LOGIN_REQUIRED").await;
}

#[tokio::test]
async fn simplefin_is_off_unless_enabled_and_calls_only_its_origins() {
    let stand_in = StandIn::start(accounts()).await;
    // Off by default.
    let plain = TestApp::spawn().await;
    let (token, _, _) = plain.signed_up().await;
    let off = link(&plain, &token, &stand_in.setup_token()).await;
    assert_eq!(off["userErrors"][0]["code"], "UNKNOWN_INSTITUTION", "{off}");
    // On, but a token naming another origin is refused unasked.
    let app = app_for(&stand_in).await;
    let (token, _, _) = app.signed_up().await;
    let elsewhere = base64::engine::general_purpose::STANDARD
        .encode("http://169.254.169.254/latest/meta-data/claim/x");
    let refused = link(&app, &token, &elsewhere).await;
    assert_eq!(
        refused["userErrors"][0]["code"], "INSTITUTION_LOGIN_FAILED",
        "{refused}"
    );
    let garbage = link(&app, &token, "not a token").await;
    assert_eq!(
        garbage["userErrors"][0]["code"], "INSTITUTION_LOGIN_FAILED",
        "{garbage}"
    );
    assert!(
        stand_in.with(|s| s.requests.is_empty()),
        "no account set was asked for"
    );
    let body = app
        .graphql_as(&token, "{ accounts { id } }", json!({}))
        .await;
    assert_eq!(body["data"]["accounts"], json!([]), "{body}");
}
