//! Black-box tests: each starts the real server on port 0 with its own
//! database (a fresh MariaDB database when `MONETA_TEST_DATABASE_URL` names
//! a MySQL server, a fresh SQLite file otherwise) and its own Redis key
//! prefix (when `MONETA_TEST_REDIS_URL` is set), and talks to it over HTTP
//! and WebSocket like a client. One binary, so it links once.

// Test code: a failed `expect` is a failed assertion.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// A test is a scenario read top to bottom; the function-size rule is for
// the product's code.
#![allow(clippy::too_many_lines)]

mod account_limits;
mod auth;
mod backends;
mod backfill;
mod budget;
mod cache;
mod categories;
mod chaos;
mod crash;
mod dependency_rules;
mod documents;
mod embedded_writes;
mod entities_roundtrip;
mod erasure;
mod event_bus;
mod harness;
mod hostile_input;
mod http_surface;
mod ids;
mod imports;
mod limits;
mod login_throttle;
mod migrations;
mod migrations_frozen;
mod mysql_tls;
mod outage;
mod queue;
mod responses;
mod retention;
mod rules;
mod schema;
mod schema_rules;
mod secrets_in_logs;
mod seed;
mod settings_doc;
mod simplefin;
mod socket;
mod source_rules;
mod spending;
mod startup;
mod subscriptions;
mod sync;
mod telemetry;
mod tls;
mod tokens;
mod transfers;
mod vschema;
mod web;
mod workers;
