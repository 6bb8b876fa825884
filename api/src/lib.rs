//! The HTTP and GraphQL face of Moneta: a poem server with an async-graphql
//! schema. The only library crate that knows HTTP or GraphQL (the root
//! package serves its routes). Resolvers are thin: they parse input, call
//! `core`'s services, and convert `core` types to GraphQL ones; this crate
//! depends on neither SeaORM nor the entities.
//!
//! # Layout
//! - [`state`]: what the server is built from ([`Services`], [`Ops`], [`ApiConfig`]);
//!   `core`'s services are the API's only way to the database.
//! - [`error`]: the one place where `core` errors become GraphQL errors.
//! - [`graphql`]: the schema — types, queries, mutations, subscriptions by area.
//! - [`http`]: routes — `/graphql`, `/graphql/ws`, `/healthz`, `/readyz`, `/metrics`.
//! - [`metrics`]: the Prometheus registry and instruments the routes, the
//!   schema and the workers record into.

pub mod error;
pub mod graphql;
pub mod http;
pub mod metrics;
pub mod state;

pub use graphql::{Limits, MonetaSchema, sdl, validation_schema};
pub use http::{api_routes, ops_routes};
pub use state::{ApiConfig, Ops, Services};
