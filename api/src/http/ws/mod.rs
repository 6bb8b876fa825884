//! `/graphql/ws`: GraphQL over `graphql-transport-ws`, held to the same
//! limits, codes and authentication as `POST /graphql`.
//!
//! - [`protocol`]: the messages and close codes.
//! - [`connection`]: one socket, from `connection_init` to close.
//! - [`caps`]: how many operations run at once, per socket and per user.
//! - [`handshake`]: the HTTP side of the upgrade.
//! - [`route`]: the upgrade.

mod caps;
mod connection;
mod handshake;
mod protocol;
mod route;

pub use caps::{MAX_OPERATIONS_PER_SOCKET, MAX_OPERATIONS_PER_USER, UserOperations};
pub use connection::{EXPIRY_CHECK, INIT_TIMEOUT, MAX_INIT_BYTES};
pub use route::{Sockets, upgrade};
