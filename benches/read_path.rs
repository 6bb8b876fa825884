//! Read-path benchmark: cached `budget` queries per second through the
//! whole server (HTTP, JWT, GraphQL, cache-aside on Redis), beside the
//! framework floor — a bare poem handler answering the same JSON bytes
//! with one Redis GET — measured in the same run with wrk, and the ratio.
//!
//! Needs `wrk` (Debian: `apt-get install wrk`) and a Redis server:
//! `MONETA_BENCH_REDIS_URL=redis://127.0.0.1:6379 cargo bench --bench read_path`
//! (keys go under a fresh prefix). The server runs on the embedded SQLite
//! database: a cached read does not touch it.

use std::process::Command;
use std::time::Duration;

use anyhow::{Context as _, bail};
use fred::interfaces::KeysInterface as _;
use moneta::Application;
use moneta_platform::config::Settings;
use moneta_platform::redis::Redis;
use poem::listener::TcpListener;
use poem::web::Data;
use poem::{EndpointExt as _, Response, Route, Server, handler, post};
use secrecy::SecretString;
use serde_json::{Value, json};

/// The allocator of the `moneta` binary, so the server measured here is it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CONNECTIONS: u32 = 32;
const THREADS: u32 = 2;
const SECONDS: u32 = 10;
const BUDGET: &str = "query Budget($m: Month!) { budget(month: $m) { month monthlyIncome incomeSource categories { category budgeted spent remaining source status } } }";

fn main() -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

/// What wrk measured.
struct Run {
    requests_per_second: f64,
    p99_ms: f64,
}

async fn run() -> anyhow::Result<()> {
    let redis_url = std::env::var("MONETA_BENCH_REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    Command::new("wrk")
        .arg("--version")
        .output()
        .context("wrk is not installed (apt-get install wrk)")?;
    let prefix = format!("moneta-bench-{}", std::process::id());
    let data_dir = tempfile::tempdir()?;

    let mut settings = Settings::defaults();
    settings.listen = "127.0.0.1:0".parse()?;
    settings.data_dir = data_dir.path().to_owned();
    settings.redis_url = Some(SecretString::from(redis_url.clone()));
    settings.redis_prefix = prefix.clone();
    let app = Application::build(settings).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));

    let http = reqwest::Client::new();
    let token = signed_up_with_budget(&http, &base).await?;
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    let body = json!({ "query": BUDGET, "operationName": "Budget", "variables": { "m": month } })
        .to_string();
    // The exact bytes a client gets back, for the floor to serve.
    let answer = budget_answer(&http, &base, &token, &body).await?;
    let redis = Redis::connect(&SecretString::from(redis_url), &prefix).await?;
    let key = redis.key("bench:budget");
    redis
        .pool
        .set::<(), _, _>(&key, answer.to_vec(), None, None, false)
        .await?;
    let floor_addr = spawn_floor(redis.clone(), key.clone()).await?;

    let script = wrk_script(data_dir.path(), "post.lua", &token, &body)?;
    let trivial = wrk_script(
        data_dir.path(),
        "trivial.lua",
        &token,
        r#"{"query":"{ __typename }"}"#,
    )?;
    let moneta_url = format!("{base}/graphql");
    let floor_url = format!("http://{floor_addr}/");
    // Warm both, then measure them one after the other.
    wrk(&moneta_url, &script, 2)?;
    wrk(&floor_url, &script, 2)?;
    let moneta = wrk(&moneta_url, &script, SECONDS)?;
    let floor = wrk(&floor_url, &script, SECONDS)?;
    let typename = wrk(&moneta_url, &trivial, SECONDS)?;

    println!(
        "wrk: {THREADS} threads, {CONNECTIONS} connections, {SECONDS} s each, on this machine"
    );
    println!(
        "cached budget (HTTP + JWT + GraphQL + Redis cache-aside): {:>9.0} req/s  p99 {:>6.2} ms",
        moneta.requests_per_second, moneta.p99_ms
    );
    println!(
        "bare poem handler, same bytes from one Redis GET (floor):   {:>9.0} req/s  p99 {:>6.2} ms",
        floor.requests_per_second, floor.p99_ms
    );
    println!(
        "for scale: `{{ __typename }}` through the same server (HTTP + JWT + GraphQL, no data): {:>9.0} req/s  p99 {:>6.2} ms",
        typename.requests_per_second, typename.p99_ms
    );
    println!(
        "ratio: {:.2} of the floor",
        moneta.requests_per_second / floor.requests_per_second
    );

    check_cache_hits(&http, &base).await?;
    let _: i64 = redis.pool.del(&key).await?;
    let _ = stop.send(());
    server.await??;
    Ok(())
}

/// The cached budget's answer, as the client gets it (checked).
async fn budget_answer(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    body: &str,
) -> anyhow::Result<Vec<u8>> {
    let answer = http
        .post(format!("{base}/graphql"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await?
        .bytes()
        .await?
        .to_vec();
    let parsed: Value = serde_json::from_slice(&answer)?;
    if parsed["data"]["budget"]["categories"]
        .as_array()
        .map(Vec::len)
        != Some(10)
    {
        bail!("unexpected budget answer: {parsed}");
    }
    Ok(answer)
}

/// A wrk script posting `body` as the user of `token`.
fn wrk_script(
    dir: &std::path::Path,
    name: &str,
    token: &str,
    body: &str,
) -> anyhow::Result<std::path::PathBuf> {
    let script = dir.join(name);
    std::fs::write(
        &script,
        format!(
            "wrk.method = \"POST\"\nwrk.body = {}\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.headers[\"Authorization\"] = \"Bearer {token}\"\n",
            lua_string(body)
        ),
    )?;
    Ok(script)
}

/// Prints the cache's counts over the run; fails unless the reads were
/// served from it.
async fn check_cache_hits(http: &reqwest::Client, base: &str) -> anyhow::Result<()> {
    let metrics = http
        .get(format!("{base}/metrics"))
        .send()
        .await?
        .text()
        .await?;
    let count = |outcome: &str| {
        metrics
            .lines()
            .find_map(|l| {
                l.strip_prefix(&format!(
                    "moneta_cache_requests_total{{outcome=\"{outcome}\"}} "
                ))
            })
            .and_then(|n| n.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let (hits, misses) = (count("hit"), count("miss"));
    println!(
        "cache: {hits:.0} hits, {misses:.0} misses, {:.0} errors during the run",
        count("error")
    );
    if hits < 100.0 * misses {
        bail!("the budget reads were not served from the cache");
    }
    Ok(())
}

/// Registers a user, sets an income and a budget override; returns the token.
async fn signed_up_with_budget(http: &reqwest::Client, base: &str) -> anyhow::Result<String> {
    let graphql = |token: Option<String>, query: &'static str, variables: Value| {
        let mut request = http
            .post(format!("{base}/graphql"))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move {
            let body: Value = request.send().await?.json().await?;
            anyhow::Ok(body)
        }
    };
    let registered = graphql(
        None,
        "mutation($input: RegisterInput!) { register(input: $input) { accessToken } }",
        json!({ "input": { "email": "bench@example.com", "password": "a long bench password" } }),
    )
    .await?;
    let token = registered["data"]["register"]["accessToken"]
        .as_str()
        .context("registered")?
        .to_owned();
    graphql(
        Some(token.clone()),
        "mutation($input: SetIncomeInput!) { setIncome(input: $input) { userErrors { code } } }",
        json!({ "input": { "monthlyIncome": "6500" } }),
    )
    .await?;
    graphql(
        Some(token.clone()),
        "mutation($input: SetBudgetInput!) { setBudget(input: $input) { userErrors { code } } }",
        json!({ "input": { "category": "FOOD", "amount": "720" } }),
    )
    .await?;
    Ok(token)
}

#[handler]
async fn bare_floor(Data(state): Data<&(Redis, String)>) -> Response {
    let (redis, key) = state;
    match redis.pool.get::<Option<Vec<u8>>, _>(key).await {
        Ok(Some(bytes)) => Response::builder()
            .content_type("application/json")
            .body(bytes),
        _ => Response::builder()
            .status(poem::http::StatusCode::INTERNAL_SERVER_ERROR)
            .finish(),
    }
}

/// The floor: poem, one route, one Redis GET, the stored bytes back.
async fn spawn_floor(redis: Redis, key: String) -> anyhow::Result<std::net::SocketAddr> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    drop(listener);
    let app = Route::new().at("/", post(bare_floor)).data((redis, key));
    tokio::spawn(Server::new(TcpListener::bind(addr.to_string())).run(app));
    tokio::time::sleep(Duration::from_millis(200)).await;
    Ok(addr)
}

fn lua_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Runs wrk for `seconds` and reads its summary.
fn wrk(url: &str, script: &std::path::Path, seconds: u32) -> anyhow::Result<Run> {
    let output = Command::new("wrk")
        .args([
            &format!("-t{THREADS}"),
            &format!("-c{CONNECTIONS}"),
            &format!("-d{seconds}s"),
            "--latency",
            "-s",
        ])
        .arg(script)
        .arg(url)
        .output()
        .context("running wrk")?;
    let text = String::from_utf8_lossy(&output.stdout);
    if text.contains("Non-2xx") {
        bail!("wrk saw errors from {url}:\n{text}");
    }
    let requests_per_second = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .with_context(|| format!("no Requests/sec in wrk output:\n{text}"))?;
    let p99 = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("99%"))
        .map(str::trim)
        .with_context(|| format!("no 99% latency in wrk output:\n{text}"))?;
    Ok(Run {
        requests_per_second,
        p99_ms: parse_ms(p99).with_context(|| format!("latency {p99:?}"))?,
    })
}

/// wrk prints `850.00us`, `1.23ms` or `1.05s`.
fn parse_ms(value: &str) -> Option<f64> {
    let (number, factor) = if let Some(v) = value.strip_suffix("us") {
        (v, 0.001)
    } else if let Some(v) = value.strip_suffix("ms") {
        (v, 1.0)
    } else if let Some(v) = value.strip_suffix('s') {
        (v, 1000.0)
    } else {
        return None;
    };
    number.parse::<f64>().ok().map(|n| n * factor)
}
