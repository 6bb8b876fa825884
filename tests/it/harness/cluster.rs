//! Moneta as it ships in a cluster: the real binary as separate processes
//! (`serve --role api`, `serve --role worker`) sharing one MariaDB
//! database and one Redis key prefix — the shape crash and chaos tests
//! kill.

use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};

use super::db::{Backend, backend};
use super::process::{self, Process};
use super::redis::required_redis_url;
use super::{TestDb, app};

/// How long a process gets to start serving on a loaded machine.
const START: Duration = Duration::from_secs(60);

/// One database, one Redis prefix, one api process; workers come and go.
pub struct Cluster {
    pub shared: Shared,
    /// Runs while the cluster lives; its output shows when a test fails.
    _api: Process,
    pub client: Client,
}

/// What every process of a cluster shares.
pub struct Shared {
    pub db: TestDb,
    redis_url: String,
    pub prefix: String,
    data_dir: tempfile::TempDir,
    jwt_secret: String,
    credentials_key: String,
}

impl Cluster {
    /// Starts the api process on a fresh database. `None` (said on
    /// stderr) when MariaDB or Redis is not configured: a cluster needs
    /// both. Under CI, where `.ci/run` configures both, that fails instead.
    pub async fn start(test: &str) -> Option<Self> {
        let redis_url = required_redis_url(test)?;
        if backend() != Backend::MySql {
            assert!(
                std::env::var_os("CI").is_none(),
                "{test} needs MONETA_TEST_DATABASE_URL, which CI must set"
            );
            eprintln!("MONETA_TEST_DATABASE_URL not set: {test} needs MariaDB and did not run");
            return None;
        }
        let shared = Shared {
            db: TestDb::new().await,
            redis_url,
            prefix: format!("moneta-test-{}", uuid::Uuid::new_v4().simple()),
            data_dir: tempfile::tempdir().expect("temp dir"),
            jwt_secret: format!("test-secret-{}", uuid::Uuid::new_v4().simple()),
            credentials_key: format!("test-key-{}", uuid::Uuid::new_v4().simple()),
        };
        let mut api = Process::spawn(shared.command("api", &[]));
        let addr = api.serving_addr(START);
        Some(Self {
            shared,
            _api: api,
            client: Client::new(format!("http://{addr}")),
        })
    }

    /// Starts a worker process (with `extra` environment, e.g.
    /// `FAILPOINTS`) and waits until it serves.
    pub fn worker(&self, extra: &[(&str, &str)]) -> Process {
        let mut worker = Process::spawn(self.shared.command("worker", extra));
        worker.serving_addr(START);
        worker
    }
}

impl Shared {
    /// `moneta serve --role <role>` on this cluster's database and Redis,
    /// with `extra` environment on top.
    pub fn command(&self, role: &str, extra: &[(&str, &str)]) -> Command {
        let mut command = self.moneta(&["serve"], extra);
        command.env("MONETA_ROLE", role);
        command
    }

    /// `moneta <args>` on this cluster's database and Redis, with `extra`
    /// environment on top (e.g. `jobs run sweep-spending`).
    pub fn moneta(&self, args: &[&str], extra: &[(&str, &str)]) -> Command {
        use secrecy::ExposeSecret as _;
        let mut command = process::moneta();
        command
            .args(args)
            .env("MONETA_LISTEN", "127.0.0.1:0")
            .env("MONETA_DATA_DIR", self.data_dir.path())
            .env("MONETA_DATABASE_URL", self.db.url().expose_secret())
            .env("MONETA_DATABASE_MAX_CONNECTIONS", "4")
            .env("MONETA_REDIS_URL", &self.redis_url)
            .env("MONETA_REDIS_PREFIX", &self.prefix)
            .env("MONETA_JWT_SECRET", &self.jwt_secret)
            .env("MONETA_CREDENTIALS_KEY", &self.credentials_key)
            .env("MONETA_PASSWORD_HASH_CONCURRENCY", "1")
            // A dead worker's job and lease come back within seconds.
            .env("MONETA_QUEUE_RECLAIM_SECS", "2")
            .env("MONETA_SYNC_LEASE_SECS", "3")
            .env("MONETA_LOG", "info");
        for (name, value) in extra {
            command.env(name, value);
        }
        command
    }
}

/// A GraphQL client of one server, and the users it signed up.
pub struct Client {
    pub base: String,
    http: reqwest::Client,
    users: std::sync::Mutex<Vec<i64>>,
}

impl Client {
    pub fn new(base: String) -> Self {
        Self {
            base,
            http: reqwest::Client::new(),
            users: std::sync::Mutex::default(),
        }
    }

    /// The row ids of the users [`Client::signed_up`] created.
    pub fn users(&self) -> Vec<i64> {
        self.users.lock().map(|u| u.clone()).unwrap_or_default()
    }

    /// A GraphQL request, as `token` when given; the response's body.
    pub async fn graphql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        self.graphql_raw(token, query, variables)
            .await
            .expect("the server answers with JSON")
    }

    /// As [`Client::graphql`], for a server that may die meanwhile.
    pub async fn graphql_raw(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> Result<Value, reqwest::Error> {
        let mut request = self
            .http
            .post(format!("{}/graphql", self.base))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await?.json().await
    }

    /// Registers a fresh user; returns their access token.
    pub async fn signed_up(&self) -> String {
        let email = format!("user-{}@example.com", uuid::Uuid::new_v4().simple());
        let body = self
            .graphql(
                None,
                app::REGISTER,
                json!({ "input": { "email": email, "password": app::PASSWORD } }),
            )
            .await;
        let user = body["data"]["register"]["user"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("registered: {body}"));
        if let Ok(mut users) = self.users.lock() {
            users.push(crate::harness::fixtures::row_id(user));
        }
        body["data"]["register"]["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("registered: {body}"))
            .to_owned()
    }

    /// Sets a budget of `amount` (a decimal string) on every spending
    /// category, so that the month's spending raises alerts.
    pub async fn tight_budgets(&self, token: &str, amount: &str) {
        for category in crate::harness::spending::SPENDING {
            let body = self
                .graphql(
                    Some(token),
                    "mutation($input: SetBudgetInput!) { setBudget(input: $input) { userErrors { code } } }",
                    json!({ "input": { "category": category, "amount": amount } }),
                )
                .await;
            assert_eq!(body["data"]["setBudget"]["userErrors"], json!([]), "{body}");
        }
    }

    /// Links the sandbox login `login` (password `pass_good`); returns the
    /// account's id.
    pub async fn link(&self, token: &str, login: &str) -> String {
        let body = self
            .graphql(
                Some(token),
                crate::sync::LINK,
                json!({ "input": { "institution": "sandbox", "login": login, "password": "pass_good" } }),
            )
            .await;
        body["data"]["linkAccount"]["account"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("linked: {body}"))
            .to_owned()
    }
}
