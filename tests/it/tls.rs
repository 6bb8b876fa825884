//! TLS to Redis: the smoke path (register, link, sync, cached reads,
//! readiness) against a `redis-server` of this test's own that speaks only
//! TLS on loopback, with a CA and server certificate made at test time;
//! and without that CA, the server refuses to start and says why.
//!
//! Like every test that needs Redis, these run only when
//! `MONETA_TEST_REDIS_URL` is set (CI sets it); then a missing
//! `redis-server`, or one built without TLS, fails them.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use fred::prelude::{Builder, ClientLike as _};
use moneta::Application;
use moneta_core::clock::{FixedClock, SharedClock};
use moneta_platform::config::Settings;
use moneta_platform::redis::config_from_url;
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::harness::app::Options;
use crate::harness::certs::Certificates;
use crate::harness::{TestApp, TestDb};
use crate::sync::{day, linked_account};

const PASSWORD: &str = "tls-test-password-5d1f0c";
const READS: &str = "query($m: Month!) {
  budget(month: $m) { monthlyIncome categories { category budgeted spent } }
  monthlySpending(month: $m) { category amount }
}";
const HITS: &str = "moneta_cache_requests_total{outcome=\"hit\"}";

/// A `redis-server` that listens only on a TLS port on 127.0.0.1 and
/// requires a password. Killed when dropped; its log is shown when a test
/// using it fails.
struct TlsRedis {
    child: Child,
    port: u16,
    certificates: Certificates,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl TlsRedis {
    /// `None` (and a line saying so) when the suite runs without Redis.
    async fn start_if_enabled(test: &str) -> Option<Self> {
        if !std::env::var("MONETA_TEST_REDIS_URL").is_ok_and(|u| !u.is_empty()) {
            eprintln!(
                "{test}: not run: MONETA_TEST_REDIS_URL is unset, and no test needs Redis without it"
            );
            return None;
        }
        Some(Self::start().await)
    }

    async fn start() -> Self {
        let version = Command::new("redis-server").arg("--version").output();
        let version = match version {
            Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
            other => panic!(
                "MONETA_TEST_REDIS_URL is set, so the TLS test must run, but `redis-server \
                 --version` failed ({other:?}): install redis-server (Debian's is built with TLS)"
            ),
        };
        let dir = tempfile::tempdir().unwrap();
        let certificates = Certificates::generate(dir.path());
        let log = dir.path().join("redis.log");
        let port = free_port();
        let child = Command::new("redis-server")
            .args(["--port", "0", "--bind", "127.0.0.1"])
            .args(["--tls-port", &port.to_string()])
            .arg("--tls-cert-file")
            .arg(&certificates.cert)
            .arg("--tls-key-file")
            .arg(&certificates.key)
            .arg("--tls-ca-cert-file")
            .arg(&certificates.ca)
            .args(["--tls-auth-clients", "no"])
            .args(["--requirepass", PASSWORD])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(dir.path())
            .arg("--logfile")
            .arg(&log)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start redis-server: {e}"));
        let mut redis = Self {
            child,
            port,
            certificates,
            log,
            _dir: dir,
        };
        redis.wait_until_it_answers(version.trim()).await;
        redis
    }

    /// Polls until a PING over TLS (with the CA) succeeds.
    async fn wait_until_it_answers(&mut self, version: &str) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "redis-server ({version}) exited with {status} (built without TLS?):\n{}",
                    self.log()
                );
            }
            let last = match self.ping().await {
                Ok(()) => return,
                Err(e) => e,
            };
            assert!(
                tokio::time::Instant::now() < deadline,
                "redis-server never answered a PING over TLS ({last}):\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn ping(&self) -> Result<(), fred::error::Error> {
        let client = self.client()?;
        client.init().await?;
        let pong = client.ping::<String>(None).await;
        let _ = client.quit().await;
        pong.map(drop)
    }

    /// A plain fred client of this server (no reconnects).
    fn client(&self) -> Result<fred::clients::Client, fred::error::Error> {
        let config = config_from_url(&self.url(), Some(&self.certificates.ca))?;
        let mut builder = Builder::from_config(config);
        builder.with_connection_config(|c| c.connection_timeout = Duration::from_secs(2));
        builder.build()
    }

    fn url(&self) -> String {
        format!("rediss://:{PASSWORD}@127.0.0.1:{}", self.port)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_else(|e| format!("(no log: {e})"))
    }
}

impl Drop for TlsRedis {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("redis-server log:\n{}", self.log());
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

async fn reads(app: &TestApp, token: &str) -> Value {
    let body = app
        .graphql_as(token, READS, json!({ "m": "2026-11" }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"].clone()
}

#[tokio::test]
async fn the_smoke_path_runs_over_tls_to_redis() {
    let Some(redis) = TlsRedis::start_if_enabled("the_smoke_path_runs_over_tls_to_redis").await
    else {
        return;
    };
    let (url, ca) = (redis.url(), redis.certificates.ca.clone());
    let clock = FixedClock::new(day(20));
    let app = TestApp::spawn_with(Options {
        clock: Some(clock),
        tweak: Some(Box::new(move |s| {
            s.redis_url = Some(url.into());
            s.tls.redis_tls_ca_file = Some(ca);
        })),
        ..Default::default()
    })
    .await;

    let (token, _, _) = app.signed_up().await;
    // Queued on the Redis stream, synced by the worker, announced on pub/sub.
    linked_account(&app, &token, "user_good").await;
    let first = reads(&app, &token).await;
    assert!(
        !first["monthlySpending"].as_array().unwrap().is_empty(),
        "the sync's spending shows: {first}"
    );
    let hits = app.metric(HITS).await;
    assert_eq!(reads(&app, &token).await, first);
    assert_eq!(
        app.metric(HITS).await - hits,
        2.0,
        "the second read of budget and monthlySpending is a cache hit"
    );

    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    let body: Value = ready.json().await.unwrap();
    let check = body["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "redis")
        .cloned()
        .unwrap();
    assert_eq!(
        check,
        json!({ "name": "redis", "backend": "redis", "ok": true, "required": false })
    );

    // And it all happened in this Redis, under the test's prefix.
    let client = redis.client().unwrap();
    client.init().await.unwrap();
    let keys: Vec<String> = client
        .custom(fred::cmd!("KEYS"), vec![format!("{}:*", app.redis_prefix)])
        .await
        .unwrap();
    assert!(
        keys.iter().any(|k| k.contains(":cache:")),
        "cache entries in the TLS Redis: {keys:?}"
    );
    let _ = client.quit().await;
}

#[tokio::test]
async fn without_the_ca_the_server_refuses_to_start_and_says_why() {
    let Some(redis) =
        TlsRedis::start_if_enabled("without_the_ca_the_server_refuses_to_start_and_says_why").await
    else {
        return;
    };
    let db = TestDb::new().await;
    let data_dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::defaults();
    settings.listen = "127.0.0.1:0".parse().unwrap();
    settings.data_dir = data_dir.path().to_owned();
    settings.database_url = Some(db.url());
    settings.database_max_connections = 2;
    settings.redis_url = Some(SecretString::from(redis.url()));
    settings.redis_prefix = format!("moneta-test-{}", uuid::Uuid::new_v4().simple());
    settings.password_hash_concurrency = 1;
    settings
        .validate()
        .expect("valid settings: the CA is optional");
    let clock: SharedClock = Arc::new(FixedClock::new(day(20)));

    let built = tokio::time::timeout(
        Duration::from_secs(60),
        Application::build_with_clock(settings, clock),
    )
    .await
    .expect("fails fast, without retrying forever");
    let message = match built {
        Ok(_) => panic!("started without trusting the Redis server's certificate"),
        Err(e) => format!("{e:#}"),
    };
    eprintln!("refused as it should be: {message}");
    assert!(message.contains("connecting to Redis"), "{message}");
    assert!(message.contains("TLS to Redis failed"), "{message}");
    assert!(message.contains("MONETA_REDIS_TLS_CA_FILE"), "{message}");
    assert!(!message.contains(PASSWORD), "{message}");
}
