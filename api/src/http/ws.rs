//! `/graphql/ws`: subscriptions over `graphql-transport-ws`.

use async_graphql::Data as GqlData;
use async_graphql_poem::{GraphQLProtocol, GraphQLWebSocket};
use moneta_core::ErrorCode;
use moneta_core::auth::AuthError;
use poem::web::Data;
use poem::web::websocket::WebSocket;
use poem::{IntoResponse, handler};

use crate::error::coded;
use crate::graphql::MonetaSchema;
use crate::state::Services;

/// Upgrades to a GraphQL WebSocket. The caller proves who they are in the
/// `connection_init` payload: `{"authorization": "Bearer <access token>"}`;
/// a missing or invalid token refuses the connection.
#[handler]
pub fn upgrade(
    Data(schema): Data<&MonetaSchema>,
    Data(services): Data<&Services>,
    protocol: GraphQLProtocol,
    websocket: WebSocket,
) -> impl IntoResponse {
    let schema = schema.clone();
    let auth = services.auth.clone();
    websocket
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |stream| {
            GraphQLWebSocket::new(stream, schema, protocol)
                .on_connection_init(move |payload| async move {
                    let token = payload
                        .get("authorization")
                        .and_then(|v| v.as_str())
                        .and_then(|v| v.strip_prefix("Bearer "))
                        .ok_or(AuthError::Unauthenticated);
                    match token.and_then(|t| auth.identify(t.trim())) {
                        Ok(identity) => {
                            let mut data = GqlData::default();
                            data.insert(identity);
                            Ok(data)
                        }
                        Err(_) => Err(coded(ErrorCode::Unauthenticated, "authentication required")),
                    }
                })
                .serve()
        })
}
