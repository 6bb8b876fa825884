//! `--vtexplain`: every distinct statement of the log through vtgate's
//! planner (`crate::vtexplain`), and the summary CI prints.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context as _;

use crate::vtexplain::{self, Class, Outcome, Verdict};
use crate::{Collected, Report, placement};

/// `--vtexplain PATH --schema FILE [--vschema-dir DIR] [--routing-rules
/// FILE] [--shards N] [--allowlist FILE] [--batch N]`.
#[derive(Debug, Clone)]
pub struct Options {
    pub binary: PathBuf,
    pub schema: Option<PathBuf>,
    pub vschema_dir: PathBuf,
    pub allowlist: PathBuf,
    pub routing_rules: PathBuf,
    pub shards: u32,
    pub batch: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            binary: PathBuf::new(),
            schema: None,
            vschema_dir: "vitess/vschema".into(),
            allowlist: "vitess/scatter-allowlist.txt".into(),
            routing_rules: "vitess/routing_rules.json".into(),
            shards: 4,
            batch: 100,
        }
    }
}

/// A statement to plan: its text and where it came from.
struct Item<'a> {
    sql: &'a str,
    source: &'a str,
}

/// What the planner said about the log's statements, tallied.
#[derive(Default)]
struct Tally {
    single_shard: usize,
    unsharded: usize,
    /// Allowlist entry → (statement shapes, most shards one reached).
    allowed: BTreeMap<String, (usize, usize)>,
    session_accepted: usize,
    failures: usize,
}

pub fn check(collected: &Collected, options: &Options) -> anyhow::Result<Report> {
    let started = Instant::now();
    let allowlist_text = std::fs::read_to_string(&options.allowlist)
        .with_context(|| format!("reading the allowlist {}", options.allowlist.display()))?;
    let allowlist = vtexplain::parse_allowlist(&allowlist_text)
        .with_context(|| format!("in {}", options.allowlist.display()))?;
    let mut explainer = vtexplain::Explainer::new(vtexplain::Config {
        binary: options.binary.clone(),
        schema: options.schema.clone().context("--schema")?,
        vschema_dir: options.vschema_dir.clone(),
        shards: options.shards,
        batch: options.batch,
    })?;
    let mut lines = Vec::new();
    let mut tally = Tally::default();
    for problem in placement_problems(options)? {
        tally.failures += 1;
        lines.push(format!("VTEXPLAIN FAILURE (table placement): {problem}"));
    }
    let mut by_class: BTreeMap<Class, Vec<Item<'_>>> = BTreeMap::new();
    for example in collected.shapes.values() {
        let (sql, source) = &example.longest;
        by_class
            .entry(vtexplain::classify(sql))
            .or_default()
            .push(Item { sql, source });
    }
    let ddl = by_class.get(&Class::Ddl).map_or(0, Vec::len);
    let metadata = by_class.get(&Class::Metadata).map_or(0, Vec::len);
    let oltp = by_class.remove(&Class::Oltp).unwrap_or_default();
    let outcomes = explainer.plan_all(&oltp.iter().map(|i| i.sql).collect::<Vec<_>>())?;
    for (item, outcome) in oltp.iter().zip(&outcomes) {
        judge_oltp(
            item, outcome, &explainer, &allowlist, &mut tally, &mut lines,
        );
    }
    let session = by_class.remove(&Class::Session).unwrap_or_default();
    let outcomes = explainer.plan_all(&session.iter().map(|i| i.sql).collect::<Vec<_>>())?;
    judge_session(&session, &outcomes, &mut tally, &mut lines);
    summarize_allowlist(&allowlist, &tally, &mut lines);
    let of_tests: usize = allowlist
        .iter()
        .filter(|e| e.tests_only)
        .filter_map(|e| tally.allowed.get(&e.name))
        .map(|(n, _)| n)
        .sum();
    let allowed: usize = tally.allowed.values().map(|(n, _)| n).sum();
    lines.push(format!(
        "vtexplain check ({} shards per sharded keyspace: {}): {} statements planned: {} single-shard, {} unsharded keyspace only, {allowed} allowlisted scatters ({} of them the test suite's own reads), {} failures; {} session statements accepted; not planned: {} DDL, {} metadata (SHOW, information_schema); {} vtexplain runs, {:.1} s",
        options.shards,
        keyspaces(&explainer),
        oltp.len(),
        tally.single_shard,
        tally.unsharded,
        of_tests,
        tally.failures,
        tally.session_accepted,
        ddl,
        metadata,
        explainer.runs,
        started.elapsed().as_secs_f64(),
    ));
    Ok(Report {
        lines,
        violations: tally.failures,
    })
}

/// A statement vtgate refused: counted, and printed with vtgate's error.
fn failure(item: &Item<'_>, what: &str, error: &str, tally: &mut Tally, lines: &mut Vec<String>) {
    tally.failures += 1;
    lines.push(format!(
        "VTEXPLAIN FAILURE ({}): {what}: {}",
        item.source,
        clip(error, 600)
    ));
    lines.push(format!("    {}", clip(item.sql, 400)));
}

fn judge_oltp(
    item: &Item<'_>,
    outcome: &Outcome,
    explainer: &vtexplain::Explainer,
    allowlist: &[vtexplain::Allowed],
    tally: &mut Tally,
    lines: &mut Vec<String>,
) {
    let planned = match outcome {
        Outcome::Planned(planned) => planned,
        Outcome::Rejected(error) => {
            failure(item, "vtgate cannot plan it", error, tally, lines);
            return;
        }
    };
    match vtexplain::judge(planned, &explainer.sharded, allowlist, item.sql) {
        Verdict::SingleShard => tally.single_shard += 1,
        Verdict::Unsharded => tally.unsharded += 1,
        Verdict::Allowed { name, shards } => {
            let entry = tally.allowed.entry(name).or_default();
            entry.0 += 1;
            entry.1 = entry.1.max(shards);
        }
        Verdict::Scatter { shards } => {
            tally.failures += 1;
            lines.push(format!(
                "VTEXPLAIN FAILURE ({}): sent to {shards} shards ({}), not on the scatter allowlist",
                item.source,
                planned.variants.join(", ")
            ));
            lines.push(format!("    {}", clip(item.sql, 400)));
        }
    }
}

/// `placement::check` over the schema, the VSchema and the routing rules.
fn placement_problems(options: &Options) -> anyhow::Result<Vec<String>> {
    let schema = options.schema.as_ref().context("--schema")?;
    let ddl = std::fs::read_to_string(schema)
        .with_context(|| format!("reading the schema {}", schema.display()))?;
    let (vschemas, _) = vtexplain::combined_vschema(&options.vschema_dir)?;
    let rules = std::fs::read_to_string(&options.routing_rules).with_context(|| {
        format!(
            "reading the routing rules {}",
            options.routing_rules.display()
        )
    })?;
    Ok(placement::check(
        &placement::tables_of_schema(&ddl),
        &serde_json::from_str(&vschemas)?,
        &serde_json::from_str(&rules)
            .with_context(|| format!("{} is not JSON", options.routing_rules.display()))?,
    ))
}

/// Session statements need only be accepted.
fn judge_session(
    session: &[Item<'_>],
    outcomes: &[Outcome],
    tally: &mut Tally,
    lines: &mut Vec<String>,
) {
    for (item, outcome) in session.iter().zip(outcomes) {
        match outcome {
            Outcome::Planned(_) => {
                tally.session_accepted += 1;
                lines.push(format!(
                    "session statement accepted by vtgate: {}",
                    clip(item.sql, 160)
                ));
            }
            Outcome::Rejected(error) => {
                failure(
                    item,
                    "vtgate rejects a session statement",
                    error,
                    tally,
                    lines,
                );
            }
        }
    }
}

/// Each allowlist entry with the statements it let through.
fn summarize_allowlist(allowlist: &[vtexplain::Allowed], tally: &Tally, lines: &mut Vec<String>) {
    for entry in allowlist {
        match tally.allowed.get(&entry.name) {
            Some((shapes, shards)) => lines.push(format!(
                "allowlisted scatter [{}]{}: {shapes} statement shape(s), up to {shards} shards — {}",
                entry.name,
                if entry.tests_only { " (the suite's own)" } else { "" },
                entry.reason
            )),
            None => lines.push(format!(
                "note: allowlist entry [{}] matched no statement of this log",
                entry.name
            )),
        }
    }
}

fn keyspaces(explainer: &vtexplain::Explainer) -> String {
    let sharded: Vec<&str> = explainer.sharded.iter().map(String::as_str).collect();
    sharded.join(", ")
}

fn clip(text: &str, max: usize) -> String {
    let mut clipped: String = text.chars().take(max).collect();
    if clipped.len() < text.len() {
        clipped.push('…');
    }
    clipped
}
