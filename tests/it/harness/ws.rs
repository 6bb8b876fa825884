//! A graphql-transport-ws client over tokio-tungstenite.

use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub struct WsClient {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// What the server did next.
#[derive(Debug)]
pub enum WsEvent {
    Message(Value),
    Closed(Option<u16>),
}

impl WsClient {
    pub async fn connect(url: &str) -> Self {
        let mut request = url.into_client_request().expect("ws url");
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static("graphql-transport-ws"),
        );
        let (socket, response) = tokio_tungstenite::connect_async(request)
            .await
            .expect("websocket upgrade");
        assert_eq!(
            response
                .headers()
                .get("sec-websocket-protocol")
                .and_then(|v| v.to_str().ok()),
            Some("graphql-transport-ws")
        );
        Self { socket }
    }

    pub async fn send(&mut self, message: Value) {
        self.send_text(message.to_string()).await;
    }

    /// Sends `text` as it is. The server may close the socket while a
    /// large message is still going out; that is not a failure here.
    pub async fn send_text(&mut self, text: String) {
        let _ = self.socket.send(Message::text(text)).await;
    }

    /// The next message or close, within 10 s. Pings are skipped.
    pub async fn next(&mut self) -> WsEvent {
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(10), self.socket.next())
                .await
                .expect("the server said something within 10 s");
            match frame {
                None | Some(Err(_)) => return WsEvent::Closed(None),
                Some(Ok(Message::Text(text))) => {
                    let value: Value = serde_json::from_str(&text).expect("JSON message");
                    if value["type"] == "ping" {
                        self.send(json!({ "type": "pong" })).await;
                        continue;
                    }
                    return WsEvent::Message(value);
                }
                Some(Ok(Message::Close(frame))) => {
                    return WsEvent::Closed(frame.map(|f| u16::from(f.code)));
                }
                Some(Ok(_)) => continue,
            }
        }
    }

    /// The next message, which must not be a close.
    pub async fn next_message(&mut self) -> Value {
        match self.next().await {
            WsEvent::Message(value) => value,
            WsEvent::Closed(code) => {
                panic!("socket closed ({code:?}) while a message was expected")
            }
        }
    }

    /// The next message if one arrives within `wait`.
    pub async fn try_next_message(&mut self, wait: Duration) -> Option<Value> {
        match tokio::time::timeout(wait, self.next()).await {
            Ok(WsEvent::Message(value)) => Some(value),
            _ => None,
        }
    }

    /// `connection_init` with `Authorization: Bearer <token>`; expects the ack.
    pub async fn init_as(&mut self, token: &str) {
        self.send(json!({
            "type": "connection_init",
            "payload": { "authorization": format!("Bearer {token}") }
        }))
        .await;
        let ack = self.next_message().await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
    }

    pub async fn subscribe(&mut self, id: &str, query: &str) {
        self.send(json!({
            "id": id,
            "type": "subscribe",
            "payload": { "query": query }
        }))
        .await;
    }
}
