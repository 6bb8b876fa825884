//! `/graphql/ws`: subscriptions over `graphql-transport-ws`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use async_graphql::Data as GqlData;
use async_graphql_poem::{GraphQLProtocol, GraphQLWebSocket};
use futures_util::{FutureExt as _, StreamExt as _};
use moneta_core::ErrorCode;
use moneta_core::auth::AuthError;
use poem::web::Data;
use poem::web::websocket::{Message, WebSocket};
use poem::{IntoResponse, handler};

use crate::error::coded;
use crate::graphql::MonetaSchema;
use crate::http::metrics::Metrics;
use crate::state::Services;

/// A socket that has not authenticated by then is closed.
pub const INIT_TIMEOUT: Duration = Duration::from_secs(5);
/// Most `subscribe` messages one connection may send; past that it is
/// closed (each subscription holds server memory and an event stream).
pub const MAX_SUBSCRIPTIONS: usize = 20;

fn is_subscribe(message: &Message) -> bool {
    match message {
        Message::Text(text) => serde_json::from_str::<serde_json::Value>(text)
            .is_ok_and(|v| v["type"] == "subscribe" || v["type"] == "start"),
        _ => false,
    }
}

/// Upgrades to a GraphQL WebSocket. The caller proves who they are in the
/// `connection_init` payload: `{"authorization": "Bearer <access token>"}`;
/// a missing or invalid token refuses the connection.
#[handler]
pub fn upgrade(
    Data(schema): Data<&MonetaSchema>,
    Data(services): Data<&Services>,
    Data(metrics): Data<&Metrics>,
    protocol: GraphQLProtocol,
    websocket: WebSocket,
) -> impl IntoResponse {
    let schema = schema.clone();
    let auth = services.auth.clone();
    let metrics = metrics.clone();
    websocket
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            let open = metrics.socket();
            let (sink, stream) = socket.split();
            let initialized = Arc::new(AtomicBool::new(false));
            let watched = initialized.clone();
            let deadline = async move {
                tokio::time::sleep(INIT_TIMEOUT).await;
                if watched.load(Ordering::SeqCst) {
                    std::future::pending::<()>().await;
                }
                tracing::debug!("websocket closed: no connection_init in time");
            };
            let subscriptions = AtomicUsize::new(0);
            let stream = stream.take_until(deadline).take_while(move |message| {
                let within = match message {
                    Ok(message) if is_subscribe(message) => {
                        subscriptions.fetch_add(1, Ordering::SeqCst) < MAX_SUBSCRIPTIONS
                    }
                    _ => true,
                };
                std::future::ready(within)
            });
            GraphQLWebSocket::new_with_pair(sink, stream, schema, protocol)
                .on_connection_init(move |payload| async move {
                    let token = payload
                        .get("authorization")
                        .and_then(|v| v.as_str())
                        .and_then(|v| v.strip_prefix("Bearer "))
                        .ok_or(AuthError::Unauthenticated);
                    match token.and_then(|t| auth.identify(t.trim())) {
                        Ok(identity) => {
                            initialized.store(true, Ordering::SeqCst);
                            let mut data = GqlData::default();
                            data.insert(identity);
                            Ok(data)
                        }
                        Err(_) => Err(coded(ErrorCode::Unauthenticated, "authentication required")),
                    }
                })
                .serve()
                .map(move |()| drop(open))
        })
}
