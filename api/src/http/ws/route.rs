//! The route: upgrades to `graphql-transport-ws` with frames and messages
//! bounded by the HTTP body limit.

use std::sync::Arc;

use poem::http::StatusCode;
use poem::web::{Data, RemoteAddr};
use poem::{IntoResponse, Request, Response, handler};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};

use super::caps::UserOperations;
use super::connection::Connection;
use super::handshake::{self, Handshake};
use super::protocol::PROTOCOL;
use crate::graphql::limits::MAX_BODY_BYTES;
use crate::graphql::{Documents, MonetaSchema, Persisted};
use crate::http::client_ip::{TrustedProxies, client_ip};
use crate::metrics::Metrics;
use crate::state::{ClientIp, Services};

/// Each socket's read buffer, allocated whole at its first read. Clients
/// send little (`connection_init`, `subscribe`, pings) and a larger
/// message is still read, in several reads: tungstenite's 128 KiB default
/// made an idle socket cost ~167 KB (loadtest/SUBSCRIBERS.md).
const READ_BUFFER_BYTES: usize = 8 * 1024;

/// What every socket of this server shares.
#[derive(Clone)]
pub struct Sockets {
    connection: Connection,
    metrics: Metrics,
    trusted_proxies: TrustedProxies,
}

impl Sockets {
    pub fn new(
        schema: MonetaSchema,
        documents: Documents,
        persisted: Persisted,
        services: Services,
        metrics: Metrics,
        trusted_proxies: TrustedProxies,
    ) -> Self {
        Self {
            connection: Connection {
                schema,
                documents,
                persisted,
                services,
                operations: UserOperations::default(),
                client: ClientIp(None),
            },
            metrics,
            trusted_proxies,
        }
    }
}

/// Upgrades to a GraphQL WebSocket. The caller proves who they are in the
/// `connection_init` payload: `{"authorization": "Bearer <access token>"}`.
/// A client that does not offer `graphql-transport-ws` is refused (400).
#[handler]
pub fn upgrade(Data(sockets): Data<&Arc<Sockets>>, remote: &RemoteAddr, req: &Request) -> Response {
    let Ok(Handshake { response, upgrade }) = handshake::accept(req, PROTOCOL) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let peer = remote.as_socket_addr().map(|a| a.ip());
    let connection = sockets.connection.for_client(ClientIp(client_ip(
        peer,
        req.headers(),
        &sockets.trusted_proxies,
    )));
    let metrics = sockets.metrics.clone();
    let config = WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER_BYTES)
        .max_frame_size(Some(MAX_BODY_BYTES))
        .max_message_size(Some(MAX_BODY_BYTES));
    tokio::spawn(async move {
        let Ok(upgraded) = upgrade.await else {
            return;
        };
        let socket = WebSocketStream::from_raw_socket(upgraded, Role::Server, Some(config)).await;
        let _open = metrics.socket();
        connection.serve(socket).await;
    });
    response
}
