//! A local SimpleFIN server that follows the published protocol
//! (<https://www.simplefin.org/protocol.html>): a setup token is the
//! base64 of a claim URL that answers, once, an access URL with Basic
//! credentials; `GET {access}/accounts` answers the account set
//! (`errlist`, `accounts` with their transactions) filtered by
//! `account`, `start-date`, `pending` and `balances-only`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use poem::http::{HeaderMap, StatusCode};
use poem::listener::{Acceptor as _, Listener as _, TcpListener};
use poem::web::{Data, Path, Query};
use poem::{EndpointExt as _, IntoResponse, Response, Route, Server, get, handler, post};
use serde_json::{Value, json};

/// What the stand-in serves; tests change it between syncs.
#[derive(Default)]
pub struct State {
    /// Setup tokens issued, and whether each was claimed.
    claimed: HashMap<String, bool>,
    password: String,
    /// The access was revoked by the user: every request is 403.
    pub revoked: bool,
    /// Structured errors sent with the accounts.
    pub errlist: Vec<Value>,
    /// Accounts (as the protocol writes them), transactions included.
    pub accounts: Vec<Value>,
    /// Each `/accounts` request's query string, in order.
    pub requests: Vec<String>,
}

pub struct StandIn {
    /// `http://127.0.0.1:<port>`
    pub origin: String,
    pub state: Arc<Mutex<State>>,
}

impl StandIn {
    pub async fn start(accounts: Vec<Value>) -> Self {
        let acceptor = TcpListener::bind("127.0.0.1:0")
            .into_acceptor()
            .await
            .expect("stand-in binds");
        let addr = acceptor.local_addr()[0]
            .as_socket_addr()
            .copied()
            .expect("a socket address");
        let origin = format!("http://{addr}");
        let state = Arc::new(Mutex::new(State {
            password: format!("pw{}", uuid::Uuid::new_v4().simple()),
            accounts,
            ..State::default()
        }));
        let app = Route::new()
            .at("/simplefin/claim/:token", post(claim_url))
            .at("/simplefin/accounts", get(account_set))
            .data(Served {
                state: state.clone(),
                origin: origin.clone(),
            });
        tokio::spawn(async move {
            let _ = Server::new_with_acceptor(acceptor).run(app).await;
        });
        Self { origin, state }
    }

    /// A new setup token: the base64 of its claim URL.
    pub fn setup_token(&self) -> String {
        let id = uuid::Uuid::new_v4().simple().to_string();
        self.state.lock().unwrap().claimed.insert(id.clone(), false);
        base64::engine::general_purpose::STANDARD
            .encode(format!("{}/simplefin/claim/{id}", self.origin))
    }

    pub fn with<T>(&self, change: impl FnOnce(&mut State) -> T) -> T {
        change(&mut self.state.lock().unwrap())
    }
}

#[derive(Clone)]
struct Served {
    state: Arc<Mutex<State>>,
    origin: String,
}

#[handler]
fn claim_url(Path(token): Path<String>, Data(served): Data<&Served>) -> Response {
    let mut state = served.state.lock().unwrap();
    match state.claimed.get_mut(&token) {
        Some(claimed) if !*claimed => {
            *claimed = true;
            let host = served.origin.trim_start_matches("http://");
            format!("http://demo:{}@{host}/simplefin", state.password).into_response()
        }
        // Claimed already, or never issued.
        _ => StatusCode::FORBIDDEN.into_response(),
    }
}

#[handler]
fn account_set(
    headers: &HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    Data(served): Data<&Served>,
) -> Response {
    let mut state = served.state.lock().unwrap();
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("demo:{}", state.password))
    );
    let authorized = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == expected);
    if !authorized || state.revoked {
        return StatusCode::FORBIDDEN.into_response();
    }
    let mut asked: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    asked.sort();
    state.requests.push(asked.join("&"));
    let start: i64 = query
        .get("start-date")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let pending = query.get("pending").is_some_and(|p| p == "1");
    let balances_only = query.get("balances-only").is_some_and(|b| b == "1");
    let accounts: Vec<Value> = state
        .accounts
        .iter()
        .filter(|a| query.get("account").is_none_or(|id| a["id"] == id.as_str()))
        .map(|a| {
            let mut a = a.clone();
            let kept: Vec<Value> = a["transactions"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .filter(|_| !balances_only)
                .filter(|t| pending || t["pending"] != true)
                .filter(|t| t["pending"] == true || t["posted"].as_i64().unwrap_or(0) >= start)
                .collect();
            a["transactions"] = Value::Array(kept);
            a
        })
        .collect();
    poem::web::Json(json!({ "errlist": state.errlist, "accounts": accounts })).into_response()
}
