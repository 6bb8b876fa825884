//! vtgate's own planner over every distinct statement (DESIGN.md §5 rule
//! 1): each statement is planned by `vtexplain` (the pinned Vitess,
//! `ci/vitess/build.sh`) against the VSchema (`vitess/vschema/*.json`, one
//! file a keyspace) and the migrated schema, the sharded keyspaces on
//! `--shards` shards, and judged by the shards vtgate sends it to:
//!
//! - one shard of a sharded keyspace (plus, for the email lookup vindex, the
//!   unsharded lookup table): single-shard;
//! - only unsharded keyspaces (or no tablet at all): unsharded;
//! - two or more shards: a scatter, which must be on the reviewed allowlist
//!   (`vitess/scatter-allowlist.txt`) with its reason;
//! - not plannable (vtexplain's error): a failure.
//!
//! Session statements (`SET`, `BEGIN`, `COMMIT`, …) are planned too, in
//! batches of their own, and must only be accepted. DDL (migrations, the
//! suite's per-test databases) and metadata reads (`SHOW`,
//! `information_schema`) are counted, not planned.
//!
//! vtexplain runs once per batch of statements, not per statement (it
//! starts a whole fake cluster). It stops at a batch's first statement it
//! cannot plan, so a failed batch is split in halves until the statements
//! it rejects are alone. Its process sometimes panics while shutting down
//! (a throttler goroutine reading the closed in-memory topology): a
//! complete JSON answer counts whatever the exit status, and a single
//! statement that gets no answer is tried again a few times.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};
use serde_json::Value;

/// What kind of statement it is, for the planner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    /// Reads and writes of rows: planned and judged by their shards.
    Oltp,
    /// Session and transaction control: planned, must be accepted.
    Session,
    /// DDL: counted, not planned.
    Ddl,
    /// `SHOW …`, `information_schema`: counted, not planned.
    Metadata,
}

pub fn classify(sql: &str) -> Class {
    let lower = sql.trim_start().trim_start_matches('(').to_lowercase();
    let first = lower
        .split(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("");
    match first {
        "show" | "describe" | "desc" | "explain" => Class::Metadata,
        "create" | "alter" | "drop" | "truncate" | "rename" => Class::Ddl,
        "select" | "insert" | "update" | "delete" | "replace" | "with" => {
            if ["information_schema", "performance_schema", "mysql."]
                .iter()
                .any(|schema| lower.contains(schema))
            {
                Class::Metadata
            } else {
                Class::Oltp
            }
        }
        _ => Class::Session,
    }
}

/// One reviewed scatter statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowed {
    pub name: String,
    pub reason: String,
    /// `origin: tests`: sent by the integration suite itself (its own
    /// checks, straight to the database), never by the product.
    pub tests_only: bool,
    /// Fragments that must all appear in the (lower-cased) statement.
    pub fragments: Vec<String>,
}

/// Parses `vitess/scatter-allowlist.txt`: `[name]`, `reason: …`, an
/// optional `origin: product|tests`, and `match: …` lines; `#` comments and blank lines ignored.
pub fn parse_allowlist(text: &str) -> anyhow::Result<Vec<Allowed>> {
    let mut entries: Vec<Allowed> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            entries.push(Allowed {
                name: name.trim().to_owned(),
                reason: String::new(),
                tests_only: false,
                fragments: Vec::new(),
            });
            continue;
        }
        let Some(entry) = entries.last_mut() else {
            bail!("line {}: `{line}` before the first [name]", n + 1);
        };
        if let Some(reason) = line.strip_prefix("reason:") {
            entry.reason = reason.trim().to_owned();
        } else if let Some(origin) = line.strip_prefix("origin:") {
            entry.tests_only = match origin.trim() {
                "tests" => true,
                "product" => false,
                other => bail!(
                    "line {}: origin is `product` or `tests`, not `{other}`",
                    n + 1
                ),
            };
        } else if let Some(fragment) = line.strip_prefix("match:") {
            entry.fragments.push(fragment.trim().to_lowercase());
        } else {
            bail!(
                "line {}: expected `reason:`, `origin:` or `match:`, got `{line}`",
                n + 1
            );
        }
    }
    if let Some(bad) = entries
        .iter()
        .find(|e| e.reason.is_empty() || e.fragments.is_empty())
    {
        bail!("entry [{}] needs a reason and at least one match", bad.name);
    }
    Ok(entries)
}

/// The entry of `allowlist` the statement matches, if any.
pub fn allowed<'a>(allowlist: &'a [Allowed], sql: &str) -> Option<&'a Allowed> {
    let lower = sql.to_lowercase();
    allowlist
        .iter()
        .find(|entry| entry.fragments.iter().all(|f| lower.contains(f.as_str())))
}

/// Where vtgate sent one statement: keyspace → shards (`TabletActions`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Planned {
    pub targets: BTreeMap<String, BTreeSet<String>>,
    /// The plans' route variants (`EqualUnique`, `IN`, `Scatter`, …).
    pub variants: Vec<String>,
    /// The most values one vindex `IN` (variant `IN`/`MultiEqual`) routes
    /// by: with two or more (two users), the statement is multi-shard
    /// whichever shards this run's ids happened to hash to.
    pub in_values: usize,
}

/// Parses vtexplain's `--output-mode json` answer: one object a statement,
/// in input order, with its `Plans` and `TabletActions` (keyed
/// `keyspace/shard`).
pub fn parse_output(json: &str) -> anyhow::Result<Vec<Planned>> {
    let explains: Vec<Value> =
        serde_json::from_str(json).context("vtexplain's output is not a JSON array")?;
    explains
        .iter()
        .map(|explain| {
            let mut planned = Planned::default();
            if let Some(actions) = explain.get("TabletActions").and_then(Value::as_object) {
                for target in actions.keys() {
                    let (keyspace, shard) = target.split_once('/').unwrap_or((target, ""));
                    planned
                        .targets
                        .entry(keyspace.to_owned())
                        .or_default()
                        .insert(shard.to_owned());
                }
            } else if explain.get("SQL").is_none() {
                bail!("an explain without SQL: {explain}");
            }
            if let Some(plans) = explain.get("Plans").and_then(Value::as_array) {
                for plan in plans {
                    collect_variants(plan.get("Instructions"), &mut planned);
                }
            }
            Ok(planned)
        })
        .collect()
}

fn collect_variants(instructions: Option<&Value>, planned: &mut Planned) {
    let Some(instructions) = instructions else {
        return;
    };
    if let Some(variant) = instructions.get("Variant").and_then(Value::as_str) {
        planned.variants.push(variant.to_owned());
        if matches!(variant, "IN" | "MultiEqual") {
            let values = instructions
                .get("Values")
                .and_then(Value::as_array)
                .and_then(|v| v.first())
                .and_then(Value::as_str)
                .map_or(0, list_length);
            planned.in_values = planned.in_values.max(values);
        }
    }
    if let Some(inputs) = instructions.get("Inputs").and_then(Value::as_array) {
        for input in inputs {
            collect_variants(Some(input), planned);
        }
    }
}

/// The number of elements of a printed list, `(1, 2, (3, 4))` → 3.
fn list_length(list: &str) -> usize {
    let inner = list.trim();
    let inner = inner
        .strip_prefix('(')
        .and_then(|l| l.strip_suffix(')'))
        .unwrap_or(inner);
    if inner.trim().is_empty() {
        return 0;
    }
    let (mut depth, mut quoted, mut count) = (0i32, false, 1);
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' if quoted => {
                chars.next();
            }
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => count += 1,
            _ => {}
        }
    }
    count
}

/// The judgement of one planned OLTP statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// One shard of the sharded keyspace(s).
    SingleShard,
    /// Unsharded keyspaces only, or answered by vtgate alone.
    Unsharded,
    /// A scatter on the allowlist (its entry's name), over `shards` shards.
    Allowed { name: String, shards: usize },
    /// A scatter not on the allowlist.
    Scatter { shards: usize },
}

pub fn judge(
    planned: &Planned,
    sharded: &BTreeSet<String>,
    allowlist: &[Allowed],
    sql: &str,
) -> Verdict {
    let shards: usize = planned
        .targets
        .iter()
        .filter(|(keyspace, _)| sharded.contains(keyspace.as_str()))
        .map(|(_, shards)| shards.len())
        .sum();
    // A vindex IN over several values is multi-shard even when this run's
    // ids hashed to one shard: the verdict must not depend on the ids.
    let shards = if planned.in_values > 1 {
        shards.max(2)
    } else {
        shards
    };
    match shards {
        0 => Verdict::Unsharded,
        1 => Verdict::SingleShard,
        shards => match allowed(allowlist, sql) {
            Some(entry) => Verdict::Allowed {
                name: entry.name.clone(),
                shards,
            },
            None => Verdict::Scatter { shards },
        },
    }
}

/// How to run vtexplain.
#[derive(Debug, Clone)]
pub struct Config {
    pub binary: PathBuf,
    pub schema: PathBuf,
    pub vschema_dir: PathBuf,
    pub shards: u32,
    pub batch: usize,
}

/// A prepared vtexplain: its input files in a private directory.
pub struct Explainer {
    config: Config,
    dir: PathBuf,
    vschema: PathBuf,
    schema: PathBuf,
    /// Keyspaces whose VSchema says `"sharded": true`.
    pub sharded: BTreeSet<String>,
    /// vtexplain processes started (for the summary).
    pub runs: usize,
    /// Run it in a user namespace: vtexplain refuses to run as root.
    as_root: bool,
}

/// The outcome of planning one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Planned(Planned),
    Rejected(String),
}

impl Explainer {
    pub fn new(config: Config) -> anyhow::Result<Self> {
        let (vschema_json, sharded) = combined_vschema(&config.vschema_dir)?;
        let dir = std::env::temp_dir().join(format!("moneta-vtexplain-{}", std::process::id()));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let vschema = dir.join("vschema.json");
        std::fs::write(&vschema, vschema_json)?;
        let schema = dir.join("schema.sql");
        let ddl = std::fs::read_to_string(&config.schema)
            .with_context(|| format!("reading the schema {}", config.schema.display()))?;
        if !ddl.to_lowercase().contains("create table") {
            bail!("{} holds no CREATE TABLE", config.schema.display());
        }
        std::fs::write(&schema, ddl)?;
        if !config.binary.is_file() {
            bail!("vtexplain not found at {}", config.binary.display());
        }
        Ok(Self {
            config,
            dir,
            vschema,
            schema,
            sharded,
            runs: 0,
            as_root: running_as_root(),
        })
    }

    /// Plans every statement, in batches; one outcome per statement.
    pub fn plan_all(&mut self, statements: &[&str]) -> anyhow::Result<Vec<Outcome>> {
        let mut outcomes = Vec::with_capacity(statements.len());
        for chunk in statements.chunks(self.config.batch.max(1)) {
            outcomes.extend(self.plan(chunk)?);
        }
        Ok(outcomes)
    }

    /// One batch; a rejected batch is split until each rejection is alone.
    fn plan(&mut self, statements: &[&str]) -> anyhow::Result<Vec<Outcome>> {
        let tries = if statements.len() == 1 { 5 } else { 1 };
        let mut last = String::new();
        for _ in 0..tries {
            match self.run(statements)? {
                Ok(planned) => return Ok(planned.into_iter().map(Outcome::Planned).collect()),
                Err(message) if !message.is_empty() => {
                    last = message;
                    break;
                }
                Err(_) => {}
            }
        }
        if statements.len() == 1 {
            if last.is_empty() {
                last = "vtexplain stopped without an answer (it panicked each time)".to_owned();
            }
            return Ok(vec![Outcome::Rejected(last)]);
        }
        let (left, right) = statements.split_at(statements.len() / 2);
        let mut outcomes = self.plan(left)?;
        outcomes.extend(self.plan(right)?);
        Ok(outcomes)
    }

    /// One vtexplain process: `Ok(Ok(plans))` when it planned every
    /// statement, `Ok(Err(message))` when it did not (the message may be
    /// empty), `Err` when it could not run at all.
    fn run(&mut self, statements: &[&str]) -> anyhow::Result<Result<Vec<Planned>, String>> {
        self.runs += 1;
        let sql_file = self.dir.join("batch.sql");
        std::fs::write(&sql_file, batch_file(statements))?;
        let mut command = if self.as_root {
            let mut c = Command::new("unshare");
            c.arg("--user").arg(&self.config.binary);
            c
        } else {
            Command::new(&self.config.binary)
        };
        command
            .arg("--vschema-file")
            .arg(&self.vschema)
            .arg("--schema-file")
            .arg(&self.schema)
            .arg("--sql-file")
            .arg(&sql_file)
            .arg("--shards")
            .arg(self.config.shards.to_string())
            .arg("--output-mode")
            .arg("json");
        let output = command
            .output()
            .with_context(|| format!("starting {}", self.config.binary.display()))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        if let Ok(planned) = parse_output(&stdout)
            && planned.len() == statements.len()
        {
            return Ok(Ok(planned));
        }
        if stdout.trim_start().starts_with("ERROR") {
            return Ok(Err(stdout.trim().to_owned()));
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !stderr.contains("panic:") && stdout.trim().is_empty() {
            // Neither an answer nor vtexplain's known shutdown panic: it
            // did not run (bad flags, unreadable files).
            let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
            bail!(
                "vtexplain failed ({}): {}",
                output.status,
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
        Ok(Err(String::new()))
    }
}

impl Drop for Explainer {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The statements as one vtexplain input: `;`-terminated, one a line.
pub fn batch_file(statements: &[&str]) -> String {
    let mut text = String::new();
    for statement in statements {
        text.push_str(statement.trim().trim_end_matches(';'));
        text.push_str(";\n");
    }
    text
}

/// vtexplain's VSchema: `{"<keyspace>": <its VSchema>, …}` from the
/// `<keyspace>.json` files of `dir`, and the sharded keyspaces.
pub fn combined_vschema(dir: &Path) -> anyhow::Result<(String, BTreeSet<String>)> {
    let mut keyspaces = serde_json::Map::new();
    let mut sharded = BTreeSet::new();
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("reading the VSchema dir {}", dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let Some(keyspace) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let text = std::fs::read_to_string(&path)?;
        let vschema: Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not JSON", path.display()))?;
        if vschema.get("sharded").and_then(Value::as_bool) == Some(true) {
            sharded.insert(keyspace.to_owned());
        }
        keyspaces.insert(keyspace.to_owned(), vschema);
    }
    if keyspaces.is_empty() {
        bail!("no <keyspace>.json VSchema in {}", dir.display());
    }
    Ok((Value::Object(keyspaces).to_string(), sharded))
}

fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().next())
            == Some("0")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALLOWLIST: &str = include_str!("../../../vitess/scatter-allowlist.txt");

    /// Trimmed from vtexplain v0.24.4's real `--output-mode json` answer.
    const OUTPUT: &str = r#"[
    {
        "SQL": "SELECT * FROM users WHERE email_normalized = 'a@b.c'",
        "Plans": [
            {
                "Type": "Complex",
                "QueryType": "SELECT",
                "Instructions": {
                    "OperatorType": "VindexLookup",
                    "Variant": "EqualUnique",
                    "Keyspace": { "Name": "moneta", "Sharded": true },
                    "Inputs": [
                        { "OperatorType": "Route", "Variant": "Unsharded",
                          "Keyspace": { "Name": "moneta_global", "Sharded": false } },
                        { "OperatorType": "Route", "Variant": "ByDestination",
                          "Keyspace": { "Name": "moneta", "Sharded": true } }
                    ]
                },
                "TablesUsed": ["moneta.users"]
            }
        ],
        "TabletActions": {
            "moneta/40-80": { "TabletQueries": [], "MysqlQueries": [] },
            "moneta_global/-": { "TabletQueries": [], "MysqlQueries": [] }
        }
    },
    {
        "SQL": "SELECT * FROM accounts WHERE user_id IN (1,2,3,4,5,6)",
        "Plans": [
            {
                "Type": "MultiShard",
                "Instructions": { "OperatorType": "Route", "Variant": "IN",
                                  "Values": ["(1, 2, 3, 4, 5, 6)"], "Vindex": "hash" }
            }
        ],
        "TabletActions": {
            "moneta/-40": {}, "moneta/40-80": {}, "moneta/c0-": {}
        }
    },
    {
        "SQL": "SET TRANSACTION ISOLATION LEVEL READ COMMITTED",
        "Plans": null,
        "TabletActions": {
            "moneta/c0-": { "TabletQueries": [ { "Time": 1,
              "SQL": "select 1 from dual where @@transaction_isolation = 'read-committed'" } ] }
        }
    },
    {
        "SQL": "COMMIT",
        "Plans": null,
        "TabletActions": {}
    }
]"#;

    fn sharded() -> BTreeSet<String> {
        ["moneta".to_owned()].into()
    }

    #[test]
    fn vtexplain_output_gives_each_statement_its_shards_and_variants() {
        let planned = parse_output(OUTPUT).unwrap();
        assert_eq!(planned.len(), 4);
        assert_eq!(
            planned[0].targets,
            BTreeMap::from([
                ("moneta".to_owned(), BTreeSet::from(["40-80".to_owned()])),
                ("moneta_global".to_owned(), BTreeSet::from(["-".to_owned()])),
            ])
        );
        assert_eq!(
            planned[0].variants,
            ["EqualUnique", "Unsharded", "ByDestination"]
        );
        assert_eq!(planned[1].targets["moneta"].len(), 3);
        assert_eq!(planned[1].variants, ["IN"]);
        assert_eq!(planned[1].in_values, 6);
        assert!(planned[2].variants.is_empty());
        assert!(planned[3].targets.is_empty());
        assert!(parse_output("ERROR: vtexplain execute error in 'x': syntax error").is_err());
        assert!(parse_output("[{\"Plans\": []}]").is_err());
    }

    #[test]
    fn shards_decide_the_verdict() {
        let planned = parse_output(OUTPUT).unwrap();
        let allowlist = parse_allowlist(ALLOWLIST).unwrap();
        // The lookup vindex reads the unsharded lookup table, then one shard.
        assert_eq!(
            judge(&planned[0], &sharded(), &allowlist, "SELECT …"),
            Verdict::SingleShard
        );
        assert_eq!(
            judge(
                &planned[1],
                &sharded(),
                &allowlist,
                "SELECT * FROM accounts WHERE user_id IN (1,2,3,4,5,6)"
            ),
            Verdict::Scatter { shards: 3 }
        );
        assert_eq!(
            judge(&planned[3], &sharded(), &allowlist, "COMMIT"),
            Verdict::Unsharded
        );
        let unsharded = Planned {
            targets: BTreeMap::from([(
                "moneta_global".to_owned(),
                BTreeSet::from(["-".to_owned()]),
            )]),
            variants: vec!["Unsharded".to_owned()],
            in_values: 0,
        };
        assert_eq!(
            judge(&unsharded, &sharded(), &allowlist, "SELECT …"),
            Verdict::Unsharded
        );
        let scan = "SELECT `users`.`id` FROM `users` WHERE `users`.`id` > 0 AND `users`.`last_active_at` >= TIMESTAMP'2026-11-01 19:18:00' AND `users`.`deleted_at` IS NULL ORDER BY `users`.`id` ASC LIMIT 500";
        assert_eq!(
            judge(&planned[1], &sharded(), &allowlist, scan),
            Verdict::Allowed {
                name: "daily-sync user scan".to_owned(),
                shards: 3
            }
        );
    }

    #[test]
    fn the_repository_allowlist_names_each_reviewed_scan_and_nothing_else() {
        let allowlist = parse_allowlist(ALLOWLIST).unwrap();
        let name = |sql: &str| allowed(&allowlist, sql).map(|e| e.name.as_str());
        assert_eq!(
            name(
                "SELECT `users`.`id` FROM `users` WHERE `users`.`id` > 0 AND `users`.`deleted_at` < TIMESTAMP'2026-12-01 19:03:11' ORDER BY `users`.`id` ASC LIMIT 500"
            ),
            Some("erasure resume scan")
        );
        assert_eq!(
            name(
                "SELECT `refresh_tokens`.`user_id`, `refresh_tokens`.`id` FROM `refresh_tokens` WHERE (`refresh_tokens`.`user_id`, `refresh_tokens`.`id`) > (1003, 497) AND (`refresh_tokens`.`expires_at` < TIMESTAMP'2027-05-16 12:00:00' OR `refresh_tokens`.`revoked_at` < TIMESTAMP'2027-05-16 12:00:00') ORDER BY `refresh_tokens`.`user_id` ASC, `refresh_tokens`.`id` ASC LIMIT 500"
            ),
            Some("retention refresh-token scan")
        );
        assert_eq!(
            name(
                "SELECT DISTINCT `spending_changes`.`user_id` FROM `spending_changes` WHERE `spending_changes`.`user_id` > -9223372036854775808 AND `spending_changes`.`marked_at` < TIMESTAMP'2026-12-01 19:17:30' ORDER BY `spending_changes`.`user_id` ASC LIMIT 500"
            ),
            Some("spending sweep scan")
        );
        assert_eq!(
            name(
                "SELECT `accounts`.`user_id`, `accounts`.`id` FROM `accounts` WHERE `accounts`.`user_id` IN (1, 2)"
            ),
            Some("daily-sync accounts of a page of users")
        );
        assert_eq!(
            name("SELECT `users`.`id` FROM `users` WHERE `users`.`id` IN (1, 9001)"),
            Some("email-claim orphan check")
        );
        // A whole-row scan, a scan without its LIMIT, a scatter write: none.
        for sql in [
            "SELECT * FROM `refresh_tokens` WHERE (`refresh_tokens`.`user_id`, `refresh_tokens`.`id`) > (1, 2) AND `refresh_tokens`.`expires_at` < '2027-05-16' LIMIT 500",
            "SELECT `users`.`id` FROM `users` WHERE `users`.`id` > 0 AND `users`.`deleted_at` < '2026-12-01'",
            "DELETE FROM `notifications` WHERE `notifications`.`created_at` < '2027-05-16'",
            "SELECT `accounts`.`user_id`, `accounts`.`id` FROM `accounts` WHERE `accounts`.`status` = 'ERROR'",
        ] {
            assert_eq!(name(sql), None, "{sql}");
        }
    }

    #[test]
    fn a_vindex_in_over_two_users_is_multi_shard_even_on_one_shard() {
        let mut planned = Planned {
            targets: BTreeMap::from([("moneta".to_owned(), BTreeSet::from(["-40".to_owned()]))]),
            variants: vec!["IN".to_owned()],
            in_values: 2,
        };
        assert_eq!(
            judge(&planned, &sharded(), &[], "SELECT …"),
            Verdict::Scatter { shards: 2 }
        );
        planned.in_values = 1;
        assert_eq!(
            judge(&planned, &sharded(), &[], "SELECT …"),
            Verdict::SingleShard
        );
        assert_eq!(list_length("(1, 2, 3)"), 3);
        assert_eq!(list_length("((1, 10), (2, 20))"), 2);
        assert_eq!(list_length("('a,b', 'c''d', 'e\\'f')"), 3);
        assert_eq!(list_length("(5)"), 1);
        assert_eq!(list_length("()"), 0);
    }

    #[test]
    fn a_malformed_allowlist_is_refused() {
        assert!(parse_allowlist("reason: x\n").is_err());
        assert!(parse_allowlist("[a]\nmatch: x\n").is_err());
        assert!(parse_allowlist("[a]\nreason: r\n").is_err());
        assert!(parse_allowlist("[a]\nreason: r\nwhat: x\n").is_err());
        assert!(parse_allowlist("[a]\nreason: r\norigin: ci\nmatch: x\n").is_err());
        let ok = parse_allowlist(
            "# c\n\n[a b]\nreason: r\nmatch: FROM `X`\n[t]\nreason: s\norigin: tests\nmatch: y\n",
        )
        .unwrap();
        assert_eq!(
            ok,
            [
                Allowed {
                    name: "a b".to_owned(),
                    reason: "r".to_owned(),
                    tests_only: false,
                    fragments: vec!["from `x`".to_owned()],
                },
                Allowed {
                    name: "t".to_owned(),
                    reason: "s".to_owned(),
                    tests_only: true,
                    fragments: vec!["y".to_owned()],
                }
            ]
        );
    }

    #[test]
    fn statements_are_classified_for_the_planner() {
        for (sql, class) in [
            (
                "SELECT `users`.`id` FROM `users` WHERE `users`.`id` = 5",
                Class::Oltp,
            ),
            ("insert into accounts (user_id) values (1)", Class::Oltp),
            (
                "UPDATE `accounts` SET `status` = 'X' WHERE `user_id` = 1",
                Class::Oltp,
            ),
            ("DELETE FROM `users` WHERE `id` = 5", Class::Oltp),
            ("SELECT @@SESSION.sql_mode AS m", Class::Oltp),
            (
                "SET TRANSACTION ISOLATION LEVEL READ COMMITTED",
                Class::Session,
            ),
            (
                "SET sql_mode=(SELECT CONCAT(@@sql_mode, ',X')),time_zone='+00:00',NAMES utf8mb4",
                Class::Session,
            ),
            ("BEGIN", Class::Session),
            ("COMMIT", Class::Session),
            ("ROLLBACK TO SAVEPOINT s1", Class::Session),
            ("CREATE TABLE IF NOT EXISTS `x` (`id` bigint)", Class::Ddl),
            (
                "ALTER TABLE `users` ADD COLUMN `deleted_at` DATETIME(6) NULL",
                Class::Ddl,
            ),
            ("DROP DATABASE IF EXISTS `moneta_t_x`", Class::Ddl),
            ("SHOW CREATE TABLE `users`", Class::Metadata),
            ("SHOW TABLES", Class::Metadata),
            (
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'users'",
                Class::Metadata,
            ),
            (
                "SELECT COUNT(*) > 0 AS `has_table` FROM `information_schema`.`tables`",
                Class::Metadata,
            ),
        ] {
            assert_eq!(classify(sql), class, "{sql}");
        }
    }

    #[test]
    fn a_batch_is_one_statement_a_line() {
        assert_eq!(
            batch_file(&["SELECT 1;", " COMMIT ", "SELECT 'a;b'"]),
            "SELECT 1;\nCOMMIT;\nSELECT 'a;b';\n"
        );
    }

    #[test]
    fn the_repository_vschema_combines_into_both_keyspaces() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vitess/vschema");
        let (json, sharded) = combined_vschema(&dir).unwrap();
        let value: Value = serde_json::from_str(&json).unwrap();
        assert!(value["moneta"]["vindexes"]["hash"].is_object());
        assert_eq!(value["moneta_global"]["sharded"], Value::Bool(false));
        assert_eq!(sharded, BTreeSet::from(["moneta".to_owned()]));
    }
}
