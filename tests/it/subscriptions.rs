//! Subscriptions over `/graphql/ws` (graphql-transport-ws).

use std::time::Duration;

use moneta_core::UserId;
use moneta_core::ports::UserEvent;
use serde_json::json;

use crate::harness::TestApp;
use crate::harness::fixtures::{insert_account, row_id};
use crate::harness::ws::WsEvent;

const ACCOUNT_SYNCED: &str =
    "subscription { accountSynced { account { id displayName status } added modified removed } }";

#[tokio::test]
async fn account_synced_reaches_the_owner_on_another_replica_and_no_one_else() {
    let publisher = TestApp::spawn().await;
    // With Redis, a second server is a real second replica; without it the
    // in-process bus only spans one process, so listen on the same one.
    let listener = if std::env::var("MONETA_TEST_REDIS_URL").is_ok_and(|u| !u.is_empty()) {
        Some(
            publisher
                .replica(moneta_platform::config::Role::All, None)
                .await,
        )
    } else {
        None
    };
    let listener = listener.as_ref().unwrap_or(&publisher);

    let (token, _, user_id) = publisher.signed_up().await;
    let (other_token, _, _) = publisher.signed_up().await;
    let user = row_id(&user_id);
    insert_account(&publisher.db.connect().await, user, 4242).await;

    let mut mine = listener.ws().await;
    mine.init_as(&token).await;
    mine.subscribe("1", ACCOUNT_SYNCED).await;
    let mut theirs = listener.ws().await;
    theirs.init_as(&other_token).await;
    theirs.subscribe("1", ACCOUNT_SYNCED).await;

    // The subscription is registered asynchronously: publish until it lands.
    let event = UserEvent::AccountSynced {
        account_id: 4242,
        added: 7,
        modified: 1,
        removed: 2,
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    let message = loop {
        publisher
            .events
            .publish(UserId::new(user), event.clone())
            .await
            .expect("publish");
        if let Some(message) = mine.try_next_message(Duration::from_millis(200)).await {
            break message;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no event within 15 s"
        );
    };
    assert_eq!(message["type"], "next", "{message}");
    assert_eq!(message["id"], "1");
    let synced = &message["payload"]["data"]["accountSynced"];
    assert_eq!(synced["added"], 7);
    assert_eq!(synced["modified"], 1);
    assert_eq!(synced["removed"], 2);
    assert_eq!(synced["account"]["displayName"], "Sandbox checking");
    assert_eq!(synced["account"]["status"], "ACTIVE");
    assert_eq!(row_id(synced["account"]["id"].as_str().expect("id")), 4242);

    assert!(
        theirs
            .try_next_message(Duration::from_millis(500))
            .await
            .is_none(),
        "another user's subscriber saw the event"
    );
}

#[tokio::test]
async fn connection_init_without_a_valid_token_is_refused() {
    let app = TestApp::spawn().await;
    for payload in [
        json!({}),
        json!({ "authorization": "Bearer not-a-token" }),
        json!({ "authorization": 42 }),
    ] {
        let mut ws = app.ws().await;
        ws.send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        match ws.next().await {
            WsEvent::Closed(_) => {}
            WsEvent::Message(m) => panic!("expected a close, got {m}"),
        }
    }
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn a_socket_that_never_authenticates_is_closed() {
    let app = TestApp::spawn().await;
    let mut ws = app.ws().await;
    let started = std::time::Instant::now();
    match ws.next().await {
        WsEvent::Closed(_) => {}
        WsEvent::Message(m) => panic!("expected a close, got {m}"),
    }
    assert!(started.elapsed() >= moneta_api::http::ws::INIT_TIMEOUT - Duration::from_millis(100));
    assert_eq!(app.get("/healthz").await.status(), 200);
}
