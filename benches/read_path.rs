//! Read-path benchmark: the reads every screen makes, through the whole
//! server (HTTP, JWT, trusted documents, cost charge, GraphQL, the Redis
//! cache), beside the framework floor — a bare poem handler answering the
//! same JSON bytes with one Redis GET — measured in the same run with
//! wrk, and the ratios:
//!
//! - the cached `budget` by document id (a whole cached response), by
//!   full text (validated, resolved from the cached view), and uncached
//!   (a second server with `MONETA_READ_CACHE=off`: the database);
//! - the home screen's first page of 20 transactions, cached, by id;
//! - with `--peers`: PostGraphile 4 on PostgreSQL with the same data
//!   shape (`loadtest/peers/`), on its closest queries, same concurrency.
//!
//! Needs `wrk` (Debian: `apt-get install wrk`) and a Redis server:
//! `MONETA_BENCH_REDIS_URL=redis://127.0.0.1:6379 cargo bench --bench read_path [-- --peers]`
//! (keys go under a fresh prefix). The servers run on the embedded SQLite
//! database. The results table is printed between `<!-- read_path -->`
//! markers for `loadtest/run --peers` to copy.

use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
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
use sha2::{Digest as _, Sha256};

/// The allocator of the `moneta` binary, so the server measured here is it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CONNECTIONS: u32 = 32;
const THREADS: u32 = 2;
const SECONDS: u32 = 10;
const BUDGET: &str = "query Budget($m: Month!) { budget(month: $m) { month monthlyIncome incomeSource categories { category budgeted spent remaining source status } } }";
/// The client's own operation (`contract/operations.graphql`).
const PAGE: &str = "TransactionsPage";

/// Goals on this 2-core machine (issue #17).
const BY_ID_GOAL: f64 = 0.6;
const BY_ID_P99_GOAL_MS: f64 = 5.0;
const PAGE_GOAL: f64 = 0.5;
const PEER_CACHED_GOAL: f64 = 3.0;
const PEER_UNCACHED_GOAL: f64 = 1.0;

fn main() -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

/// What wrk measured.
#[derive(Debug, Clone, Copy)]
struct Run {
    requests_per_second: f64,
    p99_ms: f64,
}

/// One server under test, with its signed-in user.
struct Served {
    base: String,
    token: String,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

async fn run() -> anyhow::Result<()> {
    let peers = std::env::args().any(|a| a == "--peers")
        || std::env::var("MONETA_BENCH_PEERS").is_ok_and(|v| v == "1");
    let redis_url = std::env::var("MONETA_BENCH_REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    Command::new("wrk")
        .arg("--version")
        .output()
        .context("wrk is not installed (apt-get install wrk)")?;
    let prefix = format!("moneta-bench-{}", std::process::id());
    let dir = tempfile::tempdir()?;
    let http = reqwest::Client::new();

    // Boxed: two servers' start-up futures inline are too deep a type.
    let cached = Box::pin(serve(
        &http,
        dir.path(),
        "cached",
        &redis_url,
        &prefix,
        true,
    ))
    .await?;
    let uncached = Box::pin(serve(
        &http,
        dir.path(),
        "uncached",
        &redis_url,
        &prefix,
        false,
    ))
    .await?;
    let month = chrono::Utc::now().format("%Y-%m").to_string();

    let requests = Requests::new(&month)?;
    answer(&http, &cached, &requests.register, "budget").await?;
    let budget_bytes = answer(&http, &cached, &requests.by_id, "budget").await?;
    answer(&http, &cached, &requests.by_text, "budget").await?;
    answer(&http, &uncached, &requests.by_text, "budget").await?;
    let page_bytes = answer(&http, &cached, &requests.page, "transactions").await?;
    if count_edges(&page_bytes)? != 20 {
        bail!("the first page does not hold 20 transactions");
    }

    let redis = Redis::connect(&SecretString::from(redis_url), &prefix).await?;
    let floors = [
        spawn_floor(&redis, "bench:budget", &budget_bytes).await?,
        spawn_floor(&redis, "bench:page", &page_bytes).await?,
    ];
    let rows = measure(dir.path(), [&cached, &uncached], &requests, &floors)?;
    let peer = if peers {
        Some(measure_peer(dir.path())?)
    } else {
        None
    };
    report(&rows, peer.as_ref());

    check_cache_hits(&http, &cached.base).await?;
    let _: i64 = redis
        .pool
        .del(vec![redis.key("bench:budget"), redis.key("bench:page")])
        .await?;
    for served in [cached, uncached] {
        let _ = served.stop.send(());
        served.task.await??;
    }
    Ok(())
}

/// The requests measured.
struct Requests {
    /// The Budget document's APQ registration (text and hash).
    register: Value,
    by_id: Value,
    by_text: Value,
    /// The client's first page, by its id.
    page: Value,
}

impl Requests {
    fn new(month: &str) -> anyhow::Result<Self> {
        let budget_id = format!("{:x}", Sha256::digest(BUDGET.as_bytes()));
        let by_text =
            json!({ "query": BUDGET, "operationName": "Budget", "variables": { "m": month } });
        let mut register = by_text.clone();
        register["extensions"] =
            json!({ "persistedQuery": { "version": 1, "sha256Hash": budget_id } });
        let page_id = moneta_api::graphql::client_documents()
            .into_iter()
            .find(|(name, _, _)| name == PAGE)
            .map(|(_, id, _)| id)
            .context("the client's TransactionsPage")?;
        Ok(Self {
            register,
            by_id: json!({ "documentId": format!("sha256:{budget_id}"), "variables": { "m": month } }),
            by_text,
            page: json!({ "documentId": format!("sha256:{page_id}"), "variables": { "first": 20 } }),
        })
    }
}

/// Warms each server, then measures each read one after the other.
fn measure(
    dir: &Path,
    [cached, uncached]: [&Served; 2],
    requests: &Requests,
    [floor_budget, floor_page]: &[String; 2],
) -> anyhow::Result<Vec<(&'static str, Run)>> {
    let script = |name: &str, served: &Served, body: &Value| {
        wrk_script(
            dir,
            name,
            Some(&format!("Bearer {}", served.token)),
            &body.to_string(),
        )
    };
    let by_id = script("by_id.lua", cached, &requests.by_id)?;
    let by_text = script("by_text.lua", cached, &requests.by_text)?;
    let cold = script("uncached.lua", uncached, &requests.by_text)?;
    let page = script("page.lua", cached, &requests.page)?;
    let floor = wrk_script(dir, "floor.lua", None, "{}")?;
    let typename = script(
        "typename.lua",
        cached,
        &json!({ "query": "{ __typename }" }),
    )?;
    let (hot, cold_url) = (
        format!("{}/graphql", cached.base),
        format!("{}/graphql", uncached.base),
    );
    for (url, lua) in [
        (&hot, &by_id),
        (&hot, &page),
        (&cold_url, &cold),
        (floor_budget, &floor),
    ] {
        wrk(url, lua, 2)?;
    }
    Ok(vec![
        (
            "cached `budget` by document id",
            wrk(&hot, &by_id, SECONDS)?,
        ),
        (
            "cached `budget` by full text",
            wrk(&hot, &by_text, SECONDS)?,
        ),
        (
            "uncached `budget` (MONETA_READ_CACHE=off; SQLite)",
            wrk(&cold_url, &cold, SECONDS)?,
        ),
        (
            "cached first page of 20 transactions, by id",
            wrk(&hot, &page, SECONDS)?,
        ),
        (
            "floor: bare poem + one Redis GET, the budget's bytes",
            wrk(floor_budget, &floor, SECONDS)?,
        ),
        (
            "floor: bare poem + one Redis GET, the page's bytes",
            wrk(floor_page, &floor, SECONDS)?,
        ),
        (
            "for scale: `{ __typename }` (HTTP + JWT + GraphQL, no data)",
            wrk(&hot, &typename, SECONDS)?,
        ),
    ])
}

/// A server (its own SQLite database, a shared Redis under `prefix`)
/// with a user who has an income, a budget override and a synced
/// sandbox account. Its cost buckets never run dry: this measures speed.
async fn serve(
    http: &reqwest::Client,
    dir: &Path,
    name: &str,
    redis_url: &str,
    prefix: &str,
    read_cache: bool,
) -> anyhow::Result<Served> {
    let mut settings = Settings::defaults();
    settings.listen = "127.0.0.1:0".parse()?;
    settings.data_dir = dir.join(name);
    std::fs::create_dir_all(&settings.data_dir)?;
    settings.redis_url = Some(SecretString::from(redis_url.to_owned()));
    settings.redis_prefix = format!("{prefix}-{name}");
    settings.read_cache = read_cache;
    settings.edge.cost_bucket_points = u32::MAX;
    settings.edge.cost_drain_per_sec = u32::MAX;
    let app = Box::pin(Application::build(settings)).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(Box::pin(async move {
        app.run_until(async {
            let _ = stopped.await;
        })
        .await
    }));
    let token = signed_up_with_data(http, &base).await?;
    Ok(Served {
        base,
        token,
        stop,
        task,
    })
}

/// Sends `body` once; fails unless it answered `field` without errors.
/// Returns the exact bytes a client gets.
async fn answer(
    http: &reqwest::Client,
    served: &Served,
    body: &Value,
    field: &str,
) -> anyhow::Result<Vec<u8>> {
    let bytes = http
        .post(format!("{}/graphql", served.base))
        .bearer_auth(&served.token)
        .json(body)
        .send()
        .await?
        .bytes()
        .await?
        .to_vec();
    let parsed: Value = serde_json::from_slice(&bytes)?;
    if parsed["data"][field].is_null() || !parsed["errors"].is_null() {
        bail!("unexpected answer to {body}: {parsed}");
    }
    Ok(bytes)
}

fn count_edges(page: &[u8]) -> anyhow::Result<usize> {
    let parsed: Value = serde_json::from_slice(page)?;
    Ok(parsed["data"]["transactions"]["edges"]
        .as_array()
        .map_or(0, Vec::len))
}

/// Registers a user, sets an income and a budget override, links the
/// sandbox and waits for its first sync; returns the token.
async fn signed_up_with_data(http: &reqwest::Client, base: &str) -> anyhow::Result<String> {
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
    let linked = graphql(
        Some(token.clone()),
        "mutation($input: LinkAccountInput!) { linkAccount(input: $input) { account { id } userErrors { code } } }",
        json!({ "input": { "institution": "sandbox", "login": "user_good", "password": "pass_good" } }),
    )
    .await?;
    let account = linked["data"]["linkAccount"]["account"]["id"]
        .as_str()
        .with_context(|| format!("linked: {linked}"))?
        .to_owned();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        let status = graphql(
            Some(token.clone()),
            "query($id: ID!) { account(id: $id) { status } }",
            json!({ "id": account }),
        )
        .await?;
        if status["data"]["account"]["status"] == "ACTIVE" {
            return Ok(token);
        }
        if tokio::time::Instant::now() > deadline {
            bail!("the sandbox account never synced: {status}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What the peer measured: its budget and its first page.
struct Peer {
    name: String,
    budget: Run,
    page: Run,
}

/// Starts `loadtest/peers/postgraphile/peer up`, reads the one line it
/// prints when it is ready, measures its two queries, then closes its
/// stdin (it stops and drops its database).
fn measure_peer(dir: &Path) -> anyhow::Result<Peer> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("loadtest/peers/postgraphile/peer");
    let mut child: Child = Command::new(&script)
        .arg("up")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("starting {}", script.display()))?;
    let stdout = child.stdout.take().context("the peer's stdout")?;
    let mut line = String::new();
    std::io::BufReader::new(stdout).read_line(&mut line)?;
    let ready: Value =
        serde_json::from_str(&line).with_context(|| format!("the peer's ready line: {line:?}"))?;
    let measured = (|| {
        let url = ready["url"].as_str().context("url")?;
        let authorization = ready["authorization"].as_str().context("authorization")?;
        let lua = |name: &str| {
            let body = ready["queries"][name].to_string();
            wrk_script(dir, &format!("peer-{name}.lua"), Some(authorization), &body)
        };
        let (budget, page) = (lua("budget")?, lua("transactions")?);
        wrk(url, &budget, 2)?;
        anyhow::Ok(Peer {
            name: ready["name"].as_str().unwrap_or("PostGraphile").to_owned(),
            budget: wrk(url, &budget, SECONDS)?,
            page: wrk(url, &page, SECONDS)?,
        })
    })();
    drop(child.stdin.take());
    let status = child.wait()?;
    let peer = measured?;
    if !status.success() {
        bail!("the peer exited with {status}");
    }
    Ok(peer)
}

/// Prints the table, the ratios and the goals.
fn report(rows: &[(&str, Run)], peer: Option<&Peer>) {
    println!("<!-- read_path -->");
    println!(
        "wrk: {THREADS} threads, {CONNECTIONS} connections, {SECONDS} s each, on this machine, in one run.\n"
    );
    println!("| read | req/s | p99 ms |");
    println!("|---|---:|---:|");
    for (name, run) in rows {
        println!(
            "| {name} | {:.0} | {:.2} |",
            run.requests_per_second, run.p99_ms
        );
    }
    if let Some(peer) = peer {
        println!(
            "| {}: budget lines (a SQL function, RLS) | {:.0} | {:.2} |",
            peer.name, peer.budget.requests_per_second, peer.budget.p99_ms
        );
        println!(
            "| {}: first 20 transactions (RLS) | {:.0} | {:.2} |",
            peer.name, peer.page.requests_per_second, peer.page.p99_ms
        );
    }
    let rps = |i: usize| rows[i].1.requests_per_second;
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    println!();
    let by_id = rps(0) / rps(4);
    println!(
        "- cached budget by id: {by_id:.2} of the floor, p99 {:.2} ms (goal ≥ {BY_ID_GOAL} and ≤ {BY_ID_P99_GOAL_MS} ms: {})",
        rows[0].1.p99_ms,
        verdict(by_id >= BY_ID_GOAL && rows[0].1.p99_ms <= BY_ID_P99_GOAL_MS)
    );
    println!(
        "- cached budget by text: {:.2} of the floor",
        rps(1) / rps(4)
    );
    println!("- uncached budget: {:.2} of the floor", rps(2) / rps(4));
    let page = rps(3) / rps(5);
    println!(
        "- cached first page: {page:.2} of its floor (goal ≥ {PAGE_GOAL}: {})",
        verdict(page >= PAGE_GOAL)
    );
    if let Some(peer) = peer {
        let cached = rps(0) / peer.budget.requests_per_second;
        let uncached = rps(2) / peer.budget.requests_per_second;
        let page = rps(3) / peer.page.requests_per_second;
        println!(
            "- beside {}: cached budget {cached:.1}× (goal ≥ {PEER_CACHED_GOAL}×: {}), uncached budget {uncached:.1}× (goal ≥ {PEER_UNCACHED_GOAL}×: {}), cached first page {page:.1}×",
            peer.name,
            verdict(cached >= PEER_CACHED_GOAL),
            verdict(uncached >= PEER_UNCACHED_GOAL),
        );
    }
    println!("<!-- /read_path -->");
}

/// A wrk script posting `body`, with `authorization` if given.
fn wrk_script(
    dir: &Path,
    name: &str,
    authorization: Option<&str>,
    body: &str,
) -> anyhow::Result<PathBuf> {
    let script = dir.join(name);
    let mut lua = format!(
        "wrk.method = \"POST\"\nwrk.body = {}\nwrk.headers[\"Content-Type\"] = \"application/json\"\n",
        lua_string(body)
    );
    if let Some(authorization) = authorization {
        lua.push_str(&format!(
            "wrk.headers[\"Authorization\"] = {}\n",
            lua_string(authorization)
        ));
    }
    std::fs::write(&script, lua)?;
    Ok(script)
}

/// Prints the cache's counts over the run; fails unless the cached reads
/// were served from it.
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
        bail!("the cached reads were not served from the cache");
    }
    Ok(())
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

/// The floor: poem, one route, one Redis GET of `bytes` stored at `name`.
async fn spawn_floor(redis: &Redis, name: &str, bytes: &[u8]) -> anyhow::Result<String> {
    let key = redis.key(name);
    redis
        .pool
        .set::<(), _, _>(&key, bytes.to_vec(), None, None, false)
        .await?;
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    drop(listener);
    let app = Route::new()
        .at("/", post(bare_floor))
        .data((redis.clone(), key));
    tokio::spawn(Server::new(TcpListener::bind(addr.to_string())).run(app));
    let url = format!("http://{addr}/");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while reqwest::Client::new().post(&url).send().await.is_err() {
        if tokio::time::Instant::now() > deadline {
            bail!("the floor never listened on {addr}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(url)
}

fn lua_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Runs wrk for `seconds` and reads its summary.
fn wrk(url: &str, script: &Path, seconds: u32) -> anyhow::Result<Run> {
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
