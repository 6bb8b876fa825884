//! The test harness: [`TestDb`], [`TestApp`] and a graphql-transport-ws
//! client, [`WsClient`].

pub mod app;
pub mod certs;
pub mod cluster;
pub mod db;
pub mod fixtures;
pub mod invariants;
pub mod logs;
pub mod private_mariadb;
pub mod private_redis;
pub mod process;
pub mod proxy;
pub mod redis;
pub mod sandbox;
pub mod simplefin;
pub mod spending;
pub mod ws;

pub use app::TestApp;
pub use db::{Backend, TestDb};
pub use ws::WsClient;

/// `body` without the `extensions.cost` every response carries (its
/// `remaining` differs from one request to the next), for comparing
/// whole responses. Fails if a response has no cost.
pub fn uncosted(mut body: serde_json::Value) -> serde_json::Value {
    let extensions = body
        .as_object_mut()
        .and_then(|b| b.get_mut("extensions"))
        .and_then(serde_json::Value::as_object_mut)
        .unwrap_or_else(|| panic!("a response without extensions"));
    assert!(extensions.remove("cost").is_some(), "no extensions.cost");
    if extensions.is_empty() {
        body.as_object_mut().map(|b| b.remove("extensions"));
    }
    body
}
