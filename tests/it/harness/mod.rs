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
pub mod spending;
pub mod ws;

pub use app::TestApp;
pub use db::{Backend, TestDb};
pub use ws::WsClient;
