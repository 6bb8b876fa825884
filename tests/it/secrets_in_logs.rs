//! No password, credential or token ever reaches a log line.

use std::time::Duration;

use chrono::{TimeZone as _, Utc};
use moneta_core::clock::FixedClock;
use serde_json::json;

use crate::harness::TestApp;
use crate::harness::app::Options;
use crate::harness::logs::Capture;

/// Every log line of the process is captured at debug level while this
/// runs (other tests' lines too: none may contain these secrets either).
#[tokio::test]
async fn passwords_credentials_and_tokens_never_reach_the_logs() {
    let capture = Capture::start();

    let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 20, 15, 0, 0).unwrap());
    let app = TestApp::spawn_with(Options {
        clock: Some(clock.clone()),
        ..Default::default()
    })
    .await;
    let password = "My-Very-Secret-Passphrase-42";
    let registered = app.register("logs@example.com", password).await;
    let access = registered["accessToken"].as_str().unwrap().to_owned();
    let refresh = registered["refreshToken"].as_str().unwrap().to_owned();
    app.login("logs@example.com", "Wrong-Passphrase-Also-Secret")
        .await;
    let link = "mutation($input: LinkAccountInput!) { linkAccount(input: $input) { account { id } userErrors { code } } }";
    app.graphql_as(
        &access,
        link,
        json!({ "input": { "institution": "sandbox", "login": "user_good", "password": "pass_good" } }),
    )
    .await;
    app.graphql_as(
        &access,
        link,
        json!({ "input": { "institution": "sandbox", "login": "user_good2", "password": "bank-secret-wrong" } }),
    )
    .await;
    // Wait for the sync to run (its log lines are part of the check).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let body = app
            .graphql_as(&access, "{ accounts { status } }", json!({}))
            .await;
        if body["data"]["accounts"][0]["status"] == "ACTIVE" {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.graphql(
        "mutation($input: RefreshTokenInput!) { refreshToken(input: $input) { accessToken } }",
        json!({ "input": { "refreshToken": refresh } }),
    )
    .await;

    // The sync's last line comes just after the status the loop saw.
    while !capture.text().contains("sync finished") {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the capture never saw the server's logs"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let logs = capture.text();
    for secret in [
        password,
        "Wrong-Passphrase-Also-Secret",
        "pass_good",
        "bank-secret-wrong",
        access.as_str(),
        refresh.as_str(),
        "$argon2id$",
    ] {
        assert!(!logs.contains(secret), "a log line contains {secret:?}");
    }
}
