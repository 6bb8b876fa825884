//! Sign-in limits no stranger can turn against the owner: failures count
//! per (email, client) with a growing wait, and the client is the TCP peer
//! unless the peer is a trusted proxy.

use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::harness::app::{LOGIN, Options};

const PASSWORD: &str = "the owner's real password";

/// A server behind a proxy at 127.0.0.1 (where the tests connect from).
async fn behind_a_proxy() -> TestApp {
    TestApp::spawn_with(Options {
        tweak: Some(Box::new(|s| {
            s.edge.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        })),
        ..Default::default()
    })
    .await
}

/// `login` as a client at `client` (sent as `X-Forwarded-For`); the whole body.
async fn login_from(app: &TestApp, client: &str, email: &str, password: &str) -> Value {
    app.http
        .post(format!("{}/graphql", app.base))
        .header("x-forwarded-for", client)
        .json(&json!({
            "query": LOGIN,
            "variables": { "input": { "email": email, "password": password } },
        }))
        .send()
        .await
        .expect("server answers")
        .json()
        .await
        .expect("JSON body")
}

/// What a login answered: `INVALID_CREDENTIALS`, `RATE_LIMITED` or `OK`.
fn outcome(body: &Value) -> String {
    if let Some(code) = body["errors"][0]["extensions"]["code"].as_str() {
        return code.to_owned();
    }
    match body["data"]["login"]["userErrors"][0]["code"].as_str() {
        Some(code) => code.to_owned(),
        None if body["data"]["login"]["accessToken"].is_string() => "OK".to_owned(),
        None => panic!("unexpected answer: {body}"),
    }
}

/// Wrong guesses from a different forwarded address each time; what each
/// was answered.
async fn guesses_from_many_addresses(app: &TestApp, email: &str, attempts: u8) -> Vec<String> {
    let mut outcomes = Vec::new();
    for n in 0..attempts {
        let body = login_from(app, &format!("203.0.113.{n}"), email, "a wrong guess!!").await;
        outcomes.push(outcome(&body));
    }
    outcomes
}

#[tokio::test]
async fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
    // No trusted proxy: every guess is the peer's, whatever it claims, so
    // they add up and the pair soon waits.
    let direct = TestApp::spawn().await;
    direct.register("victim@example.com", PASSWORD).await;
    let outcomes = guesses_from_many_addresses(&direct, "victim@example.com", 12).await;
    assert!(
        outcomes[..6].iter().all(|o| o == "INVALID_CREDENTIALS"),
        "{outcomes:?}"
    );
    assert!(outcomes.iter().any(|o| o == "RATE_LIMITED"), "{outcomes:?}");

    // Behind a trusted proxy: each forwarded address is its own client.
    let proxied = behind_a_proxy().await;
    proxied.register("victim@example.com", PASSWORD).await;
    let outcomes = guesses_from_many_addresses(&proxied, "victim@example.com", 12).await;
    assert!(
        outcomes.iter().all(|o| o == "INVALID_CREDENTIALS"),
        "{outcomes:?}"
    );
    // What a client writes left of the proxy's entry is not believed: a
    // forged first hop does not make a new client.
    let mut forged = Vec::new();
    for n in 0..12 {
        let claimed = format!("192.0.2.{n}, 198.51.100.77");
        let body = login_from(&proxied, &claimed, "victim@example.com", "a wrong guess!!").await;
        forged.push(outcome(&body));
    }
    assert!(forged.iter().any(|o| o == "RATE_LIMITED"), "{forged:?}");
}

#[tokio::test]
async fn sixty_failed_logins_by_a_stranger_leave_the_owner_able_to_log_in() {
    let app = behind_a_proxy().await;
    let owner = "owner@example.com";
    assert_eq!(app.register(owner, PASSWORD).await["userErrors"], json!([]));

    // One stranger, sixty guesses: a few are checked, the rest wait.
    let mut stranger = Vec::new();
    for _ in 0..60 {
        let body = login_from(&app, "203.0.113.66", owner, "a wrong guess!!").await;
        if outcome(&body) == "RATE_LIMITED" {
            let retry = body["errors"][0]["extensions"]["retryAfter"].as_u64();
            assert!(retry.is_some_and(|r| (1..=15 * 60).contains(&r)), "{body}");
        }
        stranger.push(outcome(&body));
    }
    assert!(stranger.iter().all(|o| o != "OK"), "{stranger:?}");
    assert!(stranger.iter().any(|o| o == "RATE_LIMITED"), "{stranger:?}");

    // And sixty more from sixty addresses (a botnet, one guess each).
    let spread = guesses_from_many_addresses(&app, owner, 60).await;
    assert!(
        spread.iter().all(|o| o == "INVALID_CREDENTIALS"),
        "{spread:?}"
    );

    // The owner, from their own client, signs in at once.
    let body = login_from(&app, "198.51.100.10", owner, PASSWORD).await;
    assert_eq!(outcome(&body), "OK", "{body}");
}
