//! The HTTP side of the upgrade (RFC 6455 §4.2), done here rather than by
//! poem's extractor so that the socket is tungstenite's own stream: its
//! errors keep their types (poem flattens them to text), and an oversized
//! frame is known as `CapacityError`, not by its message.

use poem::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use poem::{Body, OnUpgrade, Request, Response};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;

/// A request that asked for a WebSocket speaking `protocol`: the `101`
/// answer, and the connection once hyper hands it over.
pub struct Handshake {
    pub response: Response,
    pub upgrade: OnUpgrade,
}

/// Why a request is not an upgrade this server accepts (both answer 400).
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// Not a version-13 WebSocket upgrade.
    NotWebSocket,
    /// A WebSocket upgrade that does not offer our subprotocol.
    NoProtocol,
}

pub fn accept(req: &Request, protocol: &'static str) -> Result<Handshake, Refused> {
    let headers = req.headers();
    let key = headers
        .get(header::SEC_WEBSOCKET_KEY)
        .filter(|_| req.method() == Method::GET && asks_for_websocket(headers))
        .ok_or(Refused::NotWebSocket)?;
    if !offers(headers, protocol) {
        return Err(Refused::NoProtocol);
    }
    let accept = derive_accept_key(key.as_bytes());
    let upgrade = req.take_upgrade().map_err(|_| Refused::NotWebSocket)?;
    let response = Response::builder()
        .status(StatusCode::SWITCHING_PROTOCOLS)
        .header(header::CONNECTION, "upgrade")
        .header(header::UPGRADE, "websocket")
        .header(header::SEC_WEBSOCKET_ACCEPT, accept)
        .header(
            header::SEC_WEBSOCKET_PROTOCOL,
            HeaderValue::from_static(protocol),
        )
        .body(Body::empty());
    Ok(Handshake { response, upgrade })
}

/// `Upgrade: websocket`, `Connection: … upgrade …`, version 13 (the
/// first two are case-insensitive tokens).
fn asks_for_websocket(headers: &HeaderMap) -> bool {
    tokens(headers, header::UPGRADE).any(|t| t.eq_ignore_ascii_case("websocket"))
        && tokens(headers, header::CONNECTION).any(|t| t.eq_ignore_ascii_case("upgrade"))
        && headers.get(header::SEC_WEBSOCKET_VERSION) == Some(&HeaderValue::from_static("13"))
}

/// Whether the client offers `protocol` (subprotocol names are
/// case-sensitive).
fn offers(headers: &HeaderMap, protocol: &str) -> bool {
    tokens(headers, header::SEC_WEBSOCKET_PROTOCOL).any(|p| p == protocol)
}

/// The comma-separated tokens of every `name` header.
fn tokens(headers: &HeaderMap, name: header::HeaderName) -> impl Iterator<Item = &str> {
    headers
        .get_all(name)
        .into_iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upgrade_request(protocol: Option<&str>) -> poem::RequestBuilder {
        let mut builder = Request::builder()
            .method(Method::GET)
            .header(header::UPGRADE, "websocket")
            .header(header::CONNECTION, "keep-alive, Upgrade")
            .header(header::SEC_WEBSOCKET_VERSION, "13")
            .header(header::SEC_WEBSOCKET_KEY, "dGhlIHNhbXBsZSBub25jZQ==");
        if let Some(protocol) = protocol {
            builder = builder.header(header::SEC_WEBSOCKET_PROTOCOL, protocol);
        }
        builder
    }

    #[test]
    fn a_socket_without_our_protocol_or_not_a_websocket_is_refused() {
        let req = upgrade_request(None).finish();
        assert_eq!(
            accept(&req, "graphql-transport-ws").err(),
            Some(Refused::NoProtocol)
        );
        let req = upgrade_request(Some("graphql-ws")).finish();
        assert_eq!(
            accept(&req, "graphql-transport-ws").err(),
            Some(Refused::NoProtocol)
        );
        let req = Request::builder()
            .method(Method::GET)
            .header(header::SEC_WEBSOCKET_PROTOCOL, "graphql-transport-ws")
            .finish();
        assert_eq!(
            accept(&req, "graphql-transport-ws").err(),
            Some(Refused::NotWebSocket)
        );
        let req = upgrade_request(Some("graphql-transport-ws"))
            .method(Method::POST)
            .finish();
        assert_eq!(
            accept(&req, "graphql-transport-ws").err(),
            Some(Refused::NotWebSocket)
        );
    }
}
