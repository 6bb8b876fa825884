//! The subscription socket held to the HTTP limits, codes and sessions.

use std::time::Duration;

use moneta_core::clock::FixedClock;
use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::harness::app::Options;
use crate::harness::process;
use crate::harness::ws::{WsClient, WsEvent};
use crate::limits::{aliased, too_complex};

const ACCOUNT_SYNCED: &str = "subscription { accountSynced { added } }";

/// What the socket answers one operation with: its `error` or `next`.
async fn over_socket(ws: &mut WsClient, id: &str, query: &str, variables: Value) -> Value {
    ws.send(json!({
        "id": id,
        "type": "subscribe",
        "payload": { "query": query, "variables": variables }
    }))
    .await;
    loop {
        let message = ws.next_message().await;
        if message["id"] == id && (message["type"] == "error" || message["type"] == "next") {
            return message;
        }
    }
}

/// The code of the first error of a socket answer.
fn socket_code(message: &Value) -> &Value {
    match message["type"].as_str() {
        Some("error") => &message["payload"][0]["extensions"]["code"],
        _ => &message["payload"]["errors"][0]["extensions"]["code"],
    }
}

async fn closed_with(ws: &mut WsClient) -> Option<u16> {
    loop {
        match ws.next().await {
            WsEvent::Closed(code) => return code,
            WsEvent::Message(m) if m["type"] == "next" || m["type"] == "complete" => continue,
            WsEvent::Message(m) => panic!("expected a close, got {m}"),
        }
    }
}

#[tokio::test]
async fn hostile_documents_get_the_same_codes_over_the_socket_as_over_http() {
    let app = TestApp::spawn().await;
    let (token, _, _) = app.signed_up().await;
    let mut cases: Vec<(&str, String, Value, &str)> = too_complex()
        .into_iter()
        .map(|(case, query)| (case, query, json!({}), "QUERY_TOO_COMPLEX"))
        .collect();
    cases.extend([
        ("100 aliases", aliased(100), json!({}), "QUERY_TOO_COMPLEX"),
        ("syntax", "{ me { ".to_owned(), json!({}), "BAD_USER_INPUT"),
        (
            "unknown field",
            "{ nope }".to_owned(),
            json!({}),
            "BAD_USER_INPUT",
        ),
        (
            "bad variable",
            "query ($m: Month!) { budget(month: $m) { month } }".to_owned(),
            json!({ "m": 42 }),
            "BAD_USER_INPUT",
        ),
    ]);
    let mut ws = app.ws().await;
    ws.init_as(&token).await;
    for (n, (case, query, variables, code)) in cases.iter().enumerate() {
        let http = app.graphql_as(&token, query, variables.clone()).await;
        assert_eq!(
            http["errors"][0]["extensions"]["code"], *code,
            "HTTP, {case}: {http}"
        );
        let socket = over_socket(&mut ws, &n.to_string(), query, variables.clone()).await;
        assert_eq!(socket["type"], "error", "{case}: {socket}");
        assert_eq!(socket_code(&socket), *code, "socket, {case}: {socket}");
    }
    // The limits leave room: thirty aliases run, on the same socket.
    let fine = over_socket(&mut ws, "fine", &aliased(30), json!({})).await;
    assert_eq!(fine["type"], "next", "{fine}");
    assert_eq!(fine["payload"]["data"]["a29"], "Query");
    // An error from a resolver keeps its code too.
    let resolver = over_socket(
        &mut ws,
        "resolver",
        "{ transactions(first: 1000) { edges { node { id } } } }",
        json!({}),
    )
    .await;
    assert_eq!(resolver["type"], "next", "{resolver}");
    assert_eq!(socket_code(&resolver), "BAD_USER_INPUT", "{resolver}");
}

#[tokio::test]
async fn a_message_above_the_body_limit_closes_the_socket_and_the_server_stays_up() {
    let app = TestApp::spawn().await;
    let (token, _, _) = app.signed_up().await;
    let mut ws = app.ws().await;
    ws.init_as(&token).await;
    let padding = " ".repeat(4 << 20);
    ws.send(json!({
        "id": "big",
        "type": "subscribe",
        "payload": { "query": format!("{{ me {{ id }} {padding} }}") }
    }))
    .await;
    assert_eq!(closed_with(&mut ws).await, Some(1009));

    // Just under the limit is read (and answered).
    let mut ws = app.ws().await;
    ws.init_as(&token).await;
    let under = " ".repeat(60 * 1024);
    let answer = over_socket(
        &mut ws,
        "1",
        &format!("{{ me {{ id }} {under} }}"),
        json!({}),
    )
    .await;
    assert_eq!(answer["type"], "next", "{answer}");
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn before_authentication_only_a_small_connection_init_is_read() {
    let app = TestApp::spawn().await;
    let (token, _, _) = app.signed_up().await;
    // A token-sized init is fine; one padded past the init limit is not,
    // even with a valid token.
    let mut ws = app.ws().await;
    ws.send(json!({
        "type": "connection_init",
        "payload": {
            "authorization": format!("Bearer {token}"),
            "padding": "x".repeat(moneta_api::http::ws::MAX_INIT_BYTES),
        }
    }))
    .await;
    assert_eq!(closed_with(&mut ws).await, Some(1009));
    // An operation before the ack is refused.
    let mut ws = app.ws().await;
    ws.subscribe("1", "{ __typename }").await;
    assert_eq!(closed_with(&mut ws).await, Some(4401));
    // A bad token is forbidden.
    let mut ws = app.ws().await;
    ws.send(json!({ "type": "connection_init", "payload": { "authorization": "Bearer nope" } }))
        .await;
    assert_eq!(closed_with(&mut ws).await, Some(4403));
    // Not the protocol at all.
    let mut ws = app.ws().await;
    ws.send(json!({ "type": "start", "payload": {} })).await;
    assert_eq!(closed_with(&mut ws).await, Some(4400));
    // A second init on an acknowledged socket.
    let mut ws = app.ws().await;
    ws.init_as(&token).await;
    ws.send(json!({ "type": "connection_init", "payload": {} }))
        .await;
    assert_eq!(closed_with(&mut ws).await, Some(4429));
    assert_eq!(app.get("/healthz").await.status(), 200);
}

/// Peak resident memory of a process, in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

/// The shipped binary: four 16 MiB `connection_init` messages are each
/// refused from the frame header, and the process does not grow by what
/// they carried.
#[tokio::test]
async fn oversized_connection_inits_are_refused_without_growing_the_process() {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut server = process::embedded_server(data_dir.path());
    let addr = server.serving_addr(Duration::from_secs(120));
    let url = format!("ws://{addr}/graphql/ws");
    // Warm the server up on a normal socket first.
    let mut ws = WsClient::connect(&url).await;
    ws.send(json!({ "type": "ping" })).await;
    assert_eq!(ws.next_message().await["type"], "pong");
    let before = peak_rss_kib(server.pid());

    let huge = json!({
        "type": "connection_init",
        "payload": { "authorization": format!("Bearer {}", "x".repeat(16 << 20)) }
    })
    .to_string();
    for _ in 0..4 {
        let mut ws = WsClient::connect(&url).await;
        ws.send_text(huge.clone()).await;
        assert_eq!(
            closed_with(&mut ws).await,
            Some(1009),
            "{}",
            server.output()
        );
    }
    let grown = peak_rss_kib(server.pid()).saturating_sub(before);
    assert!(
        grown < 8 * 1024,
        "the process grew by {grown} KiB taking 4 × 16 MiB connection_init messages"
    );
    let mut ws = WsClient::connect(&url).await;
    ws.send(json!({ "type": "ping" })).await;
    assert_eq!(ws.next_message().await["type"], "pong");
}

#[tokio::test]
async fn operations_are_capped_per_socket_with_a_code_and_places_come_back() {
    let app = TestApp::spawn().await;
    let (token, _, _) = app.signed_up().await;
    let mut ws = app.ws().await;
    ws.init_as(&token).await;
    for n in 0..moneta_api::http::ws::MAX_OPERATIONS_PER_SOCKET {
        ws.subscribe(&n.to_string(), ACCOUNT_SYNCED).await;
    }
    let refused = over_socket(&mut ws, "one-too-many", ACCOUNT_SYNCED, json!({})).await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(socket_code(&refused), "RATE_LIMITED");
    // Completing one gives its place back.
    ws.send(json!({ "id": "0", "type": "complete" })).await;
    ws.subscribe("again", ACCOUNT_SYNCED).await;
    ws.send(json!({ "type": "ping" })).await;
    loop {
        let message = ws.next_message().await;
        assert_ne!(
            message["id"], "again",
            "refused after a place came back: {message}"
        );
        if message["type"] == "pong" {
            break;
        }
    }
    // Reusing a running id is a protocol error.
    ws.subscribe("1", ACCOUNT_SYNCED).await;
    assert_eq!(closed_with(&mut ws).await, Some(4409));
}

#[tokio::test]
async fn after_expiry_a_socket_refuses_operations_and_its_subscriptions_stop() {
    let clock = FixedClock::new(chrono::Utc::now());
    let app = TestApp::spawn_with(Options {
        clock: Some(clock.clone()),
        ..Options::default()
    })
    .await;
    let (token, _, _) = app.signed_up().await;
    let mut subscribed = app.ws().await;
    subscribed.init_as(&token).await;
    subscribed.subscribe("1", ACCOUNT_SYNCED).await;
    let mut idle = app.ws().await;
    idle.init_as(&token).await;
    let me = over_socket(&mut idle, "before", "{ me { id } }", json!({})).await;
    assert_eq!(me["type"], "next", "{me}");

    clock.advance(chrono::Duration::minutes(16));
    // A new operation is refused at once.
    idle.subscribe("after", "{ me { id } }").await;
    assert_eq!(closed_with(&mut idle).await, Some(4401));
    // The subscription stops by itself, within the expiry check.
    assert_eq!(closed_with(&mut subscribed).await, Some(4401));
}

#[tokio::test]
async fn logout_ends_the_sockets_of_that_session_on_another_replica_and_no_others() {
    let app = TestApp::spawn().await;
    // With Redis, the socket lives on a real second replica; without it
    // the in-process bus spans one process, so it lives on the same one.
    let replica = if std::env::var("MONETA_TEST_REDIS_URL").is_ok_and(|u| !u.is_empty()) {
        Some(app.replica(moneta_platform::config::Role::All, None).await)
    } else {
        None
    };
    let listener = replica.as_ref().unwrap_or(&app);
    let (email, password) = ("socket-owner@example.com", "a long enough password 42");
    app.register(email, password).await;
    let session = |payload: &Value| {
        (
            payload["accessToken"].as_str().expect("token").to_owned(),
            payload["refreshToken"]
                .as_str()
                .expect("refresh")
                .to_owned(),
        )
    };
    let (phone, phone_refresh) = session(&app.login(email, password).await);
    let (laptop, _) = session(&app.login(email, password).await);

    let mut on_phone = listener.ws().await;
    on_phone.init_as(&phone).await;
    on_phone.subscribe("1", ACCOUNT_SYNCED).await;
    let mut on_laptop = listener.ws().await;
    on_laptop.init_as(&laptop).await;
    on_laptop.subscribe("1", ACCOUNT_SYNCED).await;

    let out = app
        .graphql(
            "mutation ($t: String!) { logout(input: { refreshToken: $t }) }",
            json!({ "t": phone_refresh }),
        )
        .await;
    assert_eq!(out["data"]["logout"], true, "{out}");
    assert_eq!(closed_with(&mut on_phone).await, Some(4401));
    // The other session's socket still runs operations.
    let me = over_socket(&mut on_laptop, "2", "{ me { id } }", json!({})).await;
    assert_eq!(me["type"], "next", "{me}");
}

#[tokio::test]
async fn a_socket_counts_as_activity() {
    let app = TestApp::spawn().await;
    // A replica that has not seen the user yet (a process writes a user's
    // activity at most once an hour).
    let replica = app.replica(moneta_platform::config::Role::All, None).await;
    let (token, _, user_id) = app.signed_up().await;
    let user = crate::harness::fixtures::row_id(&user_id);
    let db = app.db.connect().await;
    let forget = |db: sea_orm::DatabaseConnection| async move {
        use sea_orm::{ConnectionTrait as _, Statement};
        let sql = format!("UPDATE users SET last_active_at = NULL WHERE id = {user}");
        db.execute_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .expect("clear activity");
    };
    forget(db.clone()).await;
    let mut ws = replica.ws().await;
    ws.init_as(&token).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        use sea_orm::EntityTrait as _;
        let row = moneta_entities::users::Entity::find_by_id(user)
            .one(&db)
            .await
            .expect("query")
            .expect("user");
        if row.last_active_at.is_some() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "a socket was not recorded as activity"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn deleting_the_account_closes_its_sockets_at_once() {
    let app = TestApp::spawn().await;
    let (token, _, _) = app.signed_up().await;
    let mut ws = app.ws().await;
    ws.init_as(&token).await;
    ws.subscribe("1", ACCOUNT_SYNCED).await;
    let deleted = app.delete_me(&token, crate::harness::app::PASSWORD).await;
    assert!(deleted["deletedUserId"].is_string(), "{deleted}");
    assert_eq!(closed_with(&mut ws).await, Some(4401));
    let body = app.graphql_as(&token, "{ me { id } }", json!({})).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{body}"
    );
}
