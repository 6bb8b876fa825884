//! One socket's life. Before `connection_ack` only `connection_init` (at
//! most [`MAX_INIT_BYTES`]) and pings are read; afterwards each `subscribe`
//! goes through the same admission as an HTTP request and runs as a task
//! of the socket. The session ends — every operation stops and the socket
//! closes with 4401 — when the access token expires, when the session is
//! ended on any replica (logout, a revoked refresh family, the user
//! removed), or when the client goes.

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::time::Duration;

use async_graphql::{Request, ServerError};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt as _, StreamExt as _};
use moneta_core::ErrorCode;
use moneta_core::auth::Identity;
use moneta_core::ports::{EventStream, UserEvent};
use poem::Upgraded;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::error::CapacityError;
use tokio_tungstenite::tungstenite::{Error as SocketError, Message, Utf8Bytes};

use super::caps::{MAX_OPERATIONS_PER_SOCKET, UserOperations};
use super::protocol::{ClientMessage, Close, ServerMessage};
use crate::error::coded_server_error;
use crate::graphql::{Documents, MonetaSchema, Persisted, admission};
use crate::http::bearer;
use crate::state::{ClientIp, Services};

/// A socket that has not sent `connection_init` by then is closed.
pub const INIT_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest `connection_init`: it carries a token, nothing more.
pub const MAX_INIT_BYTES: usize = 4 * 1024;
/// The longest a socket waits before looking at its token's expiry again
/// (it also looks on every message). Past expiry it closes.
pub const EXPIRY_CHECK: Duration = Duration::from_secs(5);
/// Messages queued for the client before operations wait for it.
const OUTBOX: usize = 64;

type Socket = WebSocketStream<Upgraded>;
type Sink = SplitSink<Socket, Message>;
type Stream = SplitStream<Socket>;

/// What a socket is built from.
#[derive(Clone)]
pub struct Connection {
    pub schema: MonetaSchema,
    pub documents: Documents,
    pub persisted: Persisted,
    pub services: Services,
    pub operations: UserOperations,
    pub client: ClientIp,
}

/// The operations running on one socket: where their messages go, their
/// tasks, and each one's run number and handle by id.
struct Operations {
    outbox: mpsc::Sender<Outgoing>,
    tasks: JoinSet<()>,
    running: HashMap<String, (u64, tokio::task::AbortHandle)>,
    /// Operations started so far: a message of an earlier run of a reused
    /// id is dropped.
    runs: u64,
}

/// A message from an operation: which run of which id it belongs to, so
/// that output of a run the client completed is not delivered under a new
/// run with the same id.
struct Outgoing {
    id: String,
    run: u64,
    message: ServerMessage,
    last: bool,
}

impl Connection {
    /// This connection for a socket from `client`.
    pub fn for_client(&self, client: ClientIp) -> Self {
        Self {
            client,
            ..self.clone()
        }
    }

    pub async fn serve(self, socket: Socket) {
        let (mut sink, mut stream) = socket.split();
        let close = match self.initialise(&mut sink, &mut stream).await {
            Ok((identity, ended)) => self.run(identity, ended, &mut sink, &mut stream).await,
            Err(close) => close,
        };
        if let Some(close) = close {
            tracing::debug!(
                code = close.code(),
                reason = close.reason(),
                "websocket closed"
            );
            let _ = sink.send(close.into_message()).await;
        }
        let _ = sink.close().await;
    }

    /// Reads until a valid `connection_init`: the caller, and the stream of
    /// their events (subscribed before the ack, so an end of the session
    /// announced from then on is seen).
    async fn initialise(
        &self,
        sink: &mut Sink,
        stream: &mut Stream,
    ) -> Result<(Identity, EventStream), Option<Close>> {
        let deadline = tokio::time::sleep(INIT_TIMEOUT);
        tokio::pin!(deadline);
        loop {
            let text = tokio::select! {
                () = &mut deadline => return Err(Some(Close::InitTimeout)),
                frame = stream.next() => match read(frame, MAX_INIT_BYTES)? {
                    Some(text) => text,
                    None => continue,
                },
            };
            match serde_json::from_str::<ClientMessage>(&text) {
                Ok(ClientMessage::ConnectionInit { payload }) => {
                    let credentials = payload
                        .as_ref()
                        .and_then(|p| p.get("authorization"))
                        .and_then(|v| v.as_str());
                    let Ok(identity) = bearer::authenticate(&self.services.auth, credentials).await
                    else {
                        return Err(Some(Close::Forbidden));
                    };
                    let ended = self
                        .services
                        .events
                        .subscribe(identity.user_id)
                        .await
                        .map_err(|error| {
                            tracing::warn!(%error, "websocket refused: event bus unavailable");
                            Some(Close::Unauthorized("service unavailable"))
                        })?;
                    self.touch(&identity);
                    send(sink, ServerMessage::ConnectionAck)
                        .await
                        .map_err(|()| None)?;
                    return Ok((identity, ended));
                }
                Ok(ClientMessage::Ping {}) => {
                    send(sink, ServerMessage::Pong).await.map_err(|()| None)?;
                }
                Ok(ClientMessage::Pong {}) => {}
                Ok(ClientMessage::Subscribe { .. }) => {
                    return Err(Some(Close::Unauthorized("unauthorized")));
                }
                Ok(ClientMessage::Complete { .. }) | Err(_) => {
                    return Err(Some(Close::BadMessage));
                }
            }
        }
    }

    /// The acknowledged socket, until it closes; the close to send, if any.
    async fn run(
        &self,
        identity: Identity,
        mut ended: EventStream,
        sink: &mut Sink,
        stream: &mut Stream,
    ) -> Option<Close> {
        let (outbox, mut inbox) = mpsc::channel::<Outgoing>(OUTBOX);
        let mut ops = Operations {
            outbox,
            tasks: JoinSet::new(),
            running: HashMap::new(),
            runs: 0,
        };
        loop {
            let check = self.until_expiry_check(&identity);
            tokio::select! {
                biased;
                Some(out) = inbox.recv() => {
                    if ops.running.get(&out.id).is_none_or(|(run, _)| *run != out.run) {
                        continue;
                    }
                    if out.last {
                        ops.running.remove(&out.id);
                    }
                    if send(sink, out.message).await.is_err() {
                        return None;
                    }
                }
                event = ended.next() => match event {
                    Some(UserEvent::SessionEnded { session })
                        if session.is_none_or(|s| s == identity.session) =>
                    {
                        return Some(Close::Unauthorized("session ended"));
                    }
                    Some(_) => {}
                    // The bus gave up on this subscriber: without it an end
                    // of the session could go unseen.
                    None => return Some(Close::Unauthorized("session watch lost")),
                },
                () = tokio::time::sleep(check) => {
                    if !self.services.auth.still_valid(&identity) {
                        return Some(Close::Unauthorized("token expired"));
                    }
                }
                Some(_) = ops.tasks.join_next(), if !ops.tasks.is_empty() => {}
                frame = stream.next() => {
                    let text = match read(frame, crate::graphql::limits::MAX_BODY_BYTES) {
                        Ok(Some(text)) => text,
                        Ok(None) => continue,
                        Err(close) => return close,
                    };
                    if !self.services.auth.still_valid(&identity) {
                        return Some(Close::Unauthorized("token expired"));
                    }
                    let message = match serde_json::from_str::<ClientMessage>(&text) {
                        Ok(message) => message,
                        Err(_) => return Some(Close::BadMessage),
                    };
                    if let ControlFlow::Break(close) =
                        self.on_message(&identity, message, &mut ops, sink).await
                    {
                        return close;
                    }
                }
            }
        }
    }

    /// One message of the client; `Break` with the close to send (if any)
    /// when the socket ends.
    async fn on_message(
        &self,
        identity: &Identity,
        message: ClientMessage,
        ops: &mut Operations,
        sink: &mut Sink,
    ) -> ControlFlow<Option<Close>> {
        let reply = match message {
            ClientMessage::Subscribe { id, payload } => {
                if ops.running.contains_key(&id) {
                    return ControlFlow::Break(Some(Close::DuplicateId));
                }
                ops.runs += 1;
                let started = if ops.running.len() >= MAX_OPERATIONS_PER_SOCKET {
                    Err(coded_server_error(
                        ErrorCode::RateLimited,
                        "too many operations on this connection",
                    ))
                } else {
                    self.start(
                        identity,
                        &id,
                        ops.runs,
                        *payload,
                        &ops.outbox,
                        &mut ops.tasks,
                    )
                    .await
                };
                match started {
                    Ok(handle) => {
                        ops.running.insert(id, (ops.runs, handle));
                        return ControlFlow::Continue(());
                    }
                    Err(error) => ServerMessage::Error {
                        id,
                        errors: vec![error],
                    },
                }
            }
            ClientMessage::Complete { id } => {
                if let Some((_, handle)) = ops.running.remove(&id) {
                    handle.abort();
                }
                return ControlFlow::Continue(());
            }
            ClientMessage::Ping {} => ServerMessage::Pong,
            ClientMessage::Pong {} => return ControlFlow::Continue(()),
            ClientMessage::ConnectionInit { .. } => {
                return ControlFlow::Break(Some(Close::TooManyInits));
            }
        };
        if send(sink, reply).await.is_err() {
            return ControlFlow::Break(None);
        }
        ControlFlow::Continue(())
    }

    /// Admits one operation and starts it, or the error that refuses it.
    /// Its document is text or an id (APQ's `extensions.persistedQuery`)
    /// under the trust policy; no operator token lifts `enforce` here.
    async fn start(
        &self,
        identity: &Identity,
        id: &str,
        run: u64,
        request: Request,
        outbox: &mpsc::Sender<Outgoing>,
        tasks: &mut JoinSet<()>,
    ) -> Result<tokio::task::AbortHandle, ServerError> {
        let Some(permit) = self.operations.try_acquire(identity.user_id) else {
            return Err(coded_server_error(
                ErrorCode::RateLimited,
                "too many operations for this user",
            ));
        };
        let naming = admission::Naming::default();
        let request = admission::admit_named(&self.documents, &self.persisted, request, naming)
            .await?
            .into_request()
            .data(*identity)
            .data(self.client);
        self.touch(identity);
        let mut responses = self.schema.execute_stream(request);
        let outbox = outbox.clone();
        let id = id.to_owned();
        Ok(tasks.spawn(async move {
            let _permit = permit;
            let mut first = true;
            while let Some(mut response) = responses.next().await {
                let refused = admission::settle(&mut response) && first;
                first = false;
                let message = if refused {
                    ServerMessage::Error {
                        id: id.clone(),
                        errors: response.errors,
                    }
                } else {
                    ServerMessage::Next {
                        id: id.clone(),
                        payload: response,
                    }
                };
                let out = Outgoing {
                    id: id.clone(),
                    run,
                    message,
                    last: refused,
                };
                if outbox.send(out).await.is_err() || refused {
                    return;
                }
            }
            let complete = Outgoing {
                id: id.clone(),
                run,
                message: ServerMessage::Complete { id },
                last: true,
            };
            let _ = outbox.send(complete).await;
        }))
    }

    /// How long until the token's expiry should be looked at again.
    fn until_expiry_check(&self, identity: &Identity) -> Duration {
        let left = self.services.auth.remaining(identity);
        left.to_std().unwrap_or(Duration::ZERO).min(EXPIRY_CHECK)
    }

    /// Using a socket is activity, as an HTTP request is (the daily sync
    /// keys on it).
    fn touch(&self, identity: &Identity) {
        self.services.activity.touch_in_background(identity.user_id);
    }
}

/// The text of a frame: `Ok(None)` for frames without one (pings, pongs),
/// the close to send for the rest (a binary or oversized message, a
/// protocol error); `Err(None)` when the client is gone.
fn read(
    frame: Option<Result<Message, SocketError>>,
    limit: usize,
) -> Result<Option<Utf8Bytes>, Option<Close>> {
    match frame {
        None | Some(Ok(Message::Close(_))) => Err(None),
        Some(Ok(Message::Text(text))) if text.len() > limit => Err(Some(Close::TooBig)),
        Some(Ok(Message::Text(text))) => Ok(Some(text)),
        Some(Ok(Message::Binary(_))) => Err(Some(Close::BadMessage)),
        Some(Ok(_)) => Ok(None),
        // tungstenite refuses a frame above the limit from its header,
        // before reading the payload.
        Some(Err(SocketError::Capacity(CapacityError::MessageTooLong { .. }))) => {
            Err(Some(Close::TooBig))
        }
        Some(Err(_)) => Err(None),
    }
}

async fn send(sink: &mut Sink, message: ServerMessage) -> Result<(), ()> {
    sink.send(message.into_message()).await.map_err(|_| ())
}
