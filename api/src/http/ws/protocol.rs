//! The `graphql-transport-ws` messages
//! (<https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md>).

use async_graphql::{Response, ServerError};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// The subprotocol spoken.
pub const PROTOCOL: &str = "graphql-transport-ws";

/// What a client sends.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    ConnectionInit {
        #[serde(default)]
        payload: Option<Value>,
    },
    Ping {},
    Pong {},
    Subscribe {
        id: String,
        payload: Box<async_graphql::Request>,
    },
    Complete {
        id: String,
    },
}

/// What the server sends.
#[derive(Debug)]
pub enum ServerMessage {
    ConnectionAck,
    Pong,
    Next {
        id: String,
        payload: Response,
    },
    Error {
        id: String,
        errors: Vec<ServerError>,
    },
    Complete {
        id: String,
    },
}

impl ServerMessage {
    pub fn into_message(self) -> Message {
        let value = match self {
            Self::ConnectionAck => json!({ "type": "connection_ack" }),
            Self::Pong => json!({ "type": "pong" }),
            Self::Next { id, payload } => json!({ "type": "next", "id": id, "payload": payload }),
            Self::Error { id, errors } => json!({ "type": "error", "id": id, "payload": errors }),
            Self::Complete { id } => json!({ "type": "complete", "id": id }),
        };
        Message::text(value.to_string())
    }
}

/// Why the server closes a socket: the protocol's codes, and the reason
/// sent with them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Close {
    /// 4400: not a message of the protocol.
    BadMessage,
    /// 4401: an operation before `connection_ack`, or the session is over
    /// (the token expired, the user logged out or was removed): the client
    /// signs in again and reconnects.
    Unauthorized(&'static str),
    /// 4403: `connection_init` without a valid access token.
    Forbidden,
    /// 4408: no `connection_init` in time.
    InitTimeout,
    /// 4409: a second operation with an id still running.
    DuplicateId,
    /// 4429: a second `connection_init`.
    TooManyInits,
    /// 1009: a message above the size limit.
    TooBig,
}

impl Close {
    pub fn code(self) -> u16 {
        match self {
            Self::BadMessage => 4400,
            Self::Unauthorized(_) => 4401,
            Self::Forbidden => 4403,
            Self::InitTimeout => 4408,
            Self::DuplicateId => 4409,
            Self::TooManyInits => 4429,
            Self::TooBig => 1009,
        }
    }

    pub fn reason(self) -> &'static str {
        match self {
            Self::BadMessage => "invalid message",
            Self::Unauthorized(reason) => reason,
            Self::Forbidden => "forbidden",
            Self::InitTimeout => "connection initialisation timeout",
            Self::DuplicateId => "an operation with this id is running",
            Self::TooManyInits => "too many initialisation requests",
            Self::TooBig => "message too big",
        }
    }

    pub fn into_message(self) -> Message {
        Message::Close(Some(CloseFrame {
            code: CloseCode::from(self.code()),
            reason: self.reason().into(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_client_messages_and_refuses_others() {
        let parse = |text: &str| serde_json::from_str::<ClientMessage>(text);
        assert!(matches!(
            parse(r#"{"type":"connection_init","payload":{"authorization":"Bearer x"}}"#),
            Ok(ClientMessage::ConnectionInit { payload: Some(_) })
        ));
        assert!(matches!(
            parse(r#"{"type":"connection_init"}"#),
            Ok(ClientMessage::ConnectionInit { payload: None })
        ));
        assert!(matches!(
            parse(r#"{"type":"ping","payload":{"n":1}}"#),
            Ok(ClientMessage::Ping {})
        ));
        match parse(r#"{"type":"subscribe","id":"1","payload":{"query":"{ me { id } }"}}"#) {
            Ok(ClientMessage::Subscribe { id, payload }) => {
                assert_eq!(id, "1");
                assert_eq!(payload.query, "{ me { id } }");
            }
            other => panic!("{other:?}"),
        }
        for bad in [
            r#"{"type":"start","id":"1","payload":{"query":"{ me { id } }"}}"#,
            r#"{"type":"subscribe","payload":{"query":"{ me { id } }"}}"#,
            r#"{"type":"complete"}"#,
            r#"[]"#,
            r#"not json"#,
        ] {
            assert!(parse(bad).is_err(), "{bad} was read");
        }
    }
}
