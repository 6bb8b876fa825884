//! A real Moneta server on port 0.

use std::sync::Arc;

use moneta::{Application, Runtime};
use moneta_core::clock::{FixedClock, SharedClock, SystemClock};
use moneta_core::ports::EventBus;
use moneta_platform::config::{Role, Settings};
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::sync::oneshot;

use super::{TestDb, WsClient};

/// A running server, its database and its Redis prefix. Stops when dropped.
pub struct TestApp {
    pub base: String,
    pub port: u16,
    pub http: reqwest::Client,
    pub jwt_secret: String,
    pub credentials_key: String,
    pub db: Arc<TestDb>,
    pub redis_prefix: String,
    pub events: Arc<dyn EventBus>,
    /// The server's runtime: its services, queue, pipeline, clock.
    pub runtime: Runtime,
    data_dir: tempfile::TempDir,
    _stop: oneshot::Sender<()>,
}

/// A change to the settings before the server is built.
pub type Tweak = Box<dyn FnOnce(&mut Settings) + Send>;

/// How a test wants its server.
#[derive(Default)]
pub struct Options {
    /// Share this database (a second replica) instead of a fresh one.
    pub db: Option<Arc<TestDb>>,
    /// Share this Redis prefix (a second replica).
    pub redis_prefix: Option<String>,
    /// Pin the clock.
    pub clock: Option<FixedClock>,
    /// Change settings before the server is built.
    pub tweak: Option<Tweak>,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(Options::default()).await
    }

    /// A second replica of `self`: same database, Redis prefix and keys,
    /// with `role` (and the given clock).
    pub async fn replica(&self, role: Role, clock: Option<FixedClock>) -> Self {
        let secret = self.jwt_secret.clone();
        let key = self.credentials_key.clone();
        Self::spawn_with(Options {
            db: Some(self.db.clone()),
            redis_prefix: Some(self.redis_prefix.clone()),
            clock,
            tweak: Some(Box::new(move |s| {
                s.role = role;
                s.jwt_secret = Some(SecretString::from(secret));
                s.credentials_key = Some(SecretString::from(key));
            })),
        })
        .await
    }

    pub async fn spawn_with(options: Options) -> Self {
        super::logs::init();
        let db = match options.db {
            Some(db) => db,
            None => Arc::new(TestDb::new().await),
        };
        let data_dir = tempfile::tempdir().expect("temp dir");
        let redis_prefix = options
            .redis_prefix
            .unwrap_or_else(|| format!("moneta-test-{}", uuid::Uuid::new_v4().simple()));
        let jwt_secret = format!("test-secret-{}", uuid::Uuid::new_v4().simple());

        let mut settings = Settings::defaults();
        settings.listen = "127.0.0.1:0".parse().expect("addr");
        settings.data_dir = data_dir.path().to_owned();
        settings.database_url = Some(db.url());
        settings.database_max_connections = 4;
        settings.redis_url = std::env::var("MONETA_TEST_REDIS_URL")
            .ok()
            .filter(|u| !u.is_empty())
            .map(SecretString::from);
        settings.redis_prefix = redis_prefix.clone();
        settings.jwt_secret = Some(SecretString::from(jwt_secret.clone()));
        let credentials_key = format!("test-key-{}", uuid::Uuid::new_v4().simple());
        settings.credentials_key = Some(SecretString::from(credentials_key.clone()));
        settings.password_hash_concurrency = 2;
        settings.shutdown_grace_secs = 2;
        settings.queue_reclaim_secs = 1;
        settings.sync_lease_secs = 3;
        // Tests call the scheduled jobs themselves: a tick on the minute
        // (the daily sync queueing the test's accounts) would race them.
        settings.scheduled_jobs = vec!["none".to_owned()];
        if let Some(tweak) = options.tweak {
            tweak(&mut settings);
        }
        let (jwt_secret, credentials_key) = {
            use secrecy::ExposeSecret as _;
            let exposed = |s: &Option<SecretString>, default: String| {
                s.as_ref()
                    .map(|s| s.expose_secret().to_owned())
                    .unwrap_or(default)
            };
            (
                exposed(&settings.jwt_secret, jwt_secret),
                exposed(&settings.credentials_key, credentials_key),
            )
        };

        let clock: SharedClock = match &options.clock {
            Some(clock) => Arc::new(clock.clone()),
            None => Arc::new(SystemClock),
        };
        let app = Application::build_with_clock(settings, clock)
            .await
            .expect("application builds");
        let port = app.port();
        let events = app.events();
        let runtime = app.runtime().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = app
                .run_until(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Self {
            base: format!("http://127.0.0.1:{port}"),
            port,
            http: reqwest::Client::new(),
            jwt_secret,
            credentials_key,
            db,
            redis_prefix,
            events,
            runtime,
            data_dir,
            _stop: stop,
        }
    }

    /// POSTs a GraphQL request; returns the HTTP status and the JSON body.
    pub async fn graphql_raw(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (reqwest::StatusCode, Value) {
        let mut request = self
            .http
            .post(format!("{}/graphql", self.base))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("server answers");
        let status = response.status();
        let body = response.json::<Value>().await.expect("JSON body");
        (status, body)
    }

    /// A GraphQL multipart request (the graphql-multipart-request spec):
    /// `query` with `variables`, whose `input.file` is the file sent as
    /// `file_name` with `bytes`; returns the HTTP status and the JSON body.
    pub async fn upload(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> (reqwest::StatusCode, Value) {
        let boundary = format!("moneta-{}", uuid::Uuid::new_v4().simple());
        let operations = json!({ "query": query, "variables": variables });
        let mut body = Vec::with_capacity(bytes.len() + 1024);
        let part = |body: &mut Vec<u8>, headers: &str| {
            body.extend_from_slice(format!("--{boundary}\r\n{headers}\r\n\r\n").as_bytes());
        };
        part(
            &mut body,
            "Content-Disposition: form-data; name=\"operations\"",
        );
        body.extend_from_slice(operations.to_string().as_bytes());
        body.extend_from_slice(b"\r\n");
        part(&mut body, "Content-Disposition: form-data; name=\"map\"");
        body.extend_from_slice(br#"{"0":["variables.input.file"]}"#);
        body.extend_from_slice(b"\r\n");
        part(
            &mut body,
            &format!(
                "Content-Disposition: form-data; name=\"0\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream"
            ),
        );
        body.extend_from_slice(&bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let mut request = self
            .http
            .post(format!("{}/graphql", self.base))
            .header(
                reqwest::header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("server answers");
        let status = response.status();
        let text = response.text().await.expect("a body");
        let body =
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
        (status, body)
    }

    /// A GraphQL request as an anonymous caller.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.graphql_raw(None, query, variables).await.1
    }

    /// A GraphQL request with `Authorization: Bearer <token>`.
    pub async fn graphql_as(&self, token: &str, query: &str, variables: Value) -> Value {
        self.graphql_raw(Some(token), query, variables).await.1
    }

    /// The value of one series on `/metrics` (`name{labels}` as printed),
    /// 0 when it is absent.
    pub async fn metric(&self, series: &str) -> f64 {
        let text = self.get("/metrics").await.text().await.expect("metrics");
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
            .and_then(|n| n.parse::<f64>().ok())
            .unwrap_or(0.0)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("server answers")
    }

    /// `register` and return its payload.
    pub async fn register(&self, email: &str, password: &str) -> Value {
        let body = self
            .graphql(
                REGISTER,
                json!({ "input": { "email": email, "password": password } }),
            )
            .await;
        body["data"]["register"].clone()
    }

    /// `login` and return its payload.
    pub async fn login(&self, email: &str, password: &str) -> Value {
        let body = self
            .graphql(
                LOGIN,
                json!({ "input": { "email": email, "password": password } }),
            )
            .await;
        body["data"]["login"].clone()
    }

    /// Registers a fresh user; returns (access token, refresh token, user id).
    pub async fn signed_up(&self) -> (String, String, String) {
        let email = format!("user-{}@example.com", uuid::Uuid::new_v4().simple());
        let payload = self.register(&email, PASSWORD).await;
        assert_eq!(payload["userErrors"], json!([]), "{payload}");
        (
            payload["accessToken"].as_str().expect("token").to_owned(),
            payload["refreshToken"]
                .as_str()
                .expect("refresh")
                .to_owned(),
            payload["user"]["id"].as_str().expect("id").to_owned(),
        )
    }

    /// `deleteMe` with `password` and return its payload.
    pub async fn delete_me(&self, token: &str, password: &str) -> Value {
        self.graphql_as(
            token,
            DELETE_ME,
            json!({ "input": { "password": password } }),
        )
        .await["data"]["deleteMe"]
            .clone()
    }

    /// A user who registered, then deleted their account: their access
    /// token, still within its lifetime, and their user id.
    pub async fn deleted_user(&self) -> (String, String) {
        let email = format!("gone-{}@example.com", uuid::Uuid::new_v4().simple());
        let payload = self.register(&email, PASSWORD).await;
        let token = payload["accessToken"].as_str().expect("token").to_owned();
        let user = payload["user"]["id"].as_str().expect("id").to_owned();
        let deleted = self.delete_me(&token, PASSWORD).await;
        assert!(deleted["deletedUserId"].is_string(), "{deleted}");
        (token, user)
    }

    pub fn data_dir(&self) -> &std::path::Path {
        self.data_dir.path()
    }

    pub async fn ws(&self) -> WsClient {
        WsClient::connect(&format!("ws://127.0.0.1:{}/graphql/ws", self.port)).await
    }
}

pub const REGISTER: &str = "mutation($input: RegisterInput!) { register(input: $input) { accessToken refreshToken expiresAt user { id email createdAt monthlyIncome } userErrors { field message code } } }";
/// The password of the users the harness registers.
pub const PASSWORD: &str = "a long enough password";
pub const DELETE_ME: &str = "mutation($input: DeleteMeInput!) { deleteMe(input: $input) { deletedUserId userErrors { field message code } } }";
pub const LOGIN: &str = "mutation($input: LoginInput!) { login(input: $input) { accessToken refreshToken expiresAt user { id email createdAt monthlyIncome } userErrors { field message code } } }";
