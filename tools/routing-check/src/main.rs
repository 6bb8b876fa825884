//! `moneta-routing-check <statements.hex>`: reads the statements captured
//! from MariaDB's general log while the integration suite ran (one
//! hex-encoded statement per line, `<thread id>\t<hex>`, in the order the
//! server received them), and checks them against the Vitess rules
//! (DESIGN.md §5):
//!
//! - each distinct statement against the routing rules (`rules`);
//! - each transaction, replayed per connection in log order, against "one
//!   database transaction touches one user" (`transactions`).
//!
//! Prints every violation with its statement(s) and where it came from —
//! the connection and its database, which names the integration test
//! (`Connect` records, `<thread id>\t@<hex>`) — how many distinct statements and how many transactions were
//! checked; exits 1 on any violation.

mod placement;
mod plan;
mod rules;
mod transactions;
mod vtexplain;

use std::collections::BTreeMap;

use anyhow::Context as _;

fn decode_hex(hex: &str) -> Option<String> {
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
        })
        .collect();
    String::from_utf8(bytes?).ok()
}

/// Connections' databases, from the log's `Connect` records (lines whose
/// statement is `@<hex of "user@host on <database> using …">`). Each
/// integration test has its own database, named after the test.
#[derive(Default)]
struct Origins(BTreeMap<String, String>);

impl Origins {
    /// Takes a `Connect` record; false when `payload` is a statement.
    fn record(&mut self, thread: &str, payload: &str) -> bool {
        let Some(hex) = payload.strip_prefix('@') else {
            return false;
        };
        if let Some(database) = decode_hex(hex).as_deref().and_then(|connect| {
            connect
                .split_once(" on ")
                .and_then(|(_, rest)| rest.split_whitespace().next())
                .filter(|db| !db.is_empty())
                .map(str::to_owned)
        }) {
            self.0.insert(thread.to_owned(), database);
        }
        true
    }

    /// `connection <id>`, with its database (the test) when known.
    fn of(&self, thread: &str) -> String {
        match self.0.get(thread) {
            Some(database) => format!("connection {thread}, database {database}"),
            None => format!("connection {thread}"),
        }
    }
}

/// What the check found: the lines to print and how many violations.
struct Report {
    lines: Vec<String>,
    violations: usize,
}

/// Each cross-user transaction once per shape (the same code path repeats
/// with other ids), with its statements and the users they bind; returns
/// how many distinct ones there were.
fn report_cross_user(
    found: &[transactions::CrossUser],
    origins: &Origins,
    out: &mut Vec<String>,
) -> usize {
    let mut by_shape: BTreeMap<String, (&transactions::CrossUser, usize)> = BTreeMap::new();
    for transaction in found {
        let key = transaction
            .statements
            .iter()
            .map(|s| rules::shape(&s.sql))
            .collect::<Vec<_>>()
            .join("\n");
        by_shape.entry(key).or_insert((transaction, 0)).1 += 1;
    }
    for (transaction, times) in by_shape.values() {
        let users = transaction.users.join(" and ");
        out.push(if transaction.explicit {
            format!(
                "VIOLATION ({}): one transaction binds users {users} ({times} such transaction(s) in the log):",
                origins.of(&transaction.thread)
            )
        } else {
            format!(
                "VIOLATION ({}): one statement outside a transaction writes for users {users} ({times} such statement(s) in the log):",
                origins.of(&transaction.thread)
            )
        });
        for statement in &transaction.statements {
            let bound: Vec<&str> = statement.users.iter().map(String::as_str).collect();
            out.push(format!(
                "    [users: {}] {}",
                if bound.is_empty() {
                    "-".to_owned()
                } else {
                    bound.join(", ")
                },
                statement.sql.chars().take(300).collect::<String>()
            ));
        }
    }
    by_shape.len()
}

/// One statement shape of the log: its first and its longest instance
/// (the one with the most values in its lists: the most shards an `IN`
/// reaches), each with the connection it came from.
struct Example {
    first: (String, String),
    longest: (String, String),
}

/// The log read once: its statements' shapes, the transactions replayed.
struct Collected {
    shapes: BTreeMap<String, Example>,
    total: usize,
    tracker: transactions::Tracker,
    origins: Origins,
}

fn collect(text: &str) -> Collected {
    let mut shapes: BTreeMap<String, Example> = BTreeMap::new();
    let mut total = 0usize;
    let mut tracker = transactions::Tracker::default();
    let mut origins = Origins::default();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let (thread, hex) = line.split_once('\t').unwrap_or(("?", line));
        let thread = thread.trim();
        if origins.record(thread, hex.trim()) {
            continue;
        }
        let Some(sql) = decode_hex(hex.trim()) else {
            continue;
        };
        total += 1;
        tracker.feed(thread, &sql);
        match shapes.entry(rules::shape(&sql)) {
            std::collections::btree_map::Entry::Vacant(entry) => {
                let example = (sql, origins.of(thread));
                entry.insert(Example {
                    first: example.clone(),
                    longest: example,
                });
            }
            std::collections::btree_map::Entry::Occupied(mut entry) => {
                if sql.len() > entry.get().longest.0.len() {
                    entry.get_mut().longest = (sql, origins.of(thread));
                }
            }
        }
    }
    tracker.finish();
    Collected {
        shapes,
        total,
        tracker,
        origins,
    }
}

/// Checks a whole captured log (`<thread id>\t<hex>` lines, in order):
/// the SQL subset of each distinct statement, and the transactions.
fn check_log(text: &str) -> (Collected, Report) {
    let collected = collect(text);
    let mut lines = Vec::new();
    let mut violations = 0usize;
    let mut checked = 0usize;
    for Example {
        first: (sql, source),
        ..
    } in collected.shapes.values()
    {
        match rules::check(sql) {
            rules::Verdict::Skipped => {}
            rules::Verdict::Checked => checked += 1,
            rules::Verdict::Violation(reasons) => {
                checked += 1;
                violations += 1;
                lines.push(format!("VIOLATION ({source}): {}", reasons.join("; ")));
                lines.push(format!("    {}", sql.chars().take(400).collect::<String>()));
            }
        }
    }
    violations += report_cross_user(
        &collected.tracker.violations,
        &collected.origins,
        &mut lines,
    );
    lines.push(format!(
        "routing check: {} statements captured, {} distinct, {checked} touching tables checked, {} transactions (and {} writes outside one) checked, {violations} violations",
        collected.total,
        collected.shapes.len(),
        collected.tracker.transactions,
        collected.tracker.single_writes,
    ));
    (collected, Report { lines, violations })
}

/// The command line: the log, and optionally vtexplain's inputs.
struct Args {
    log: String,
    vtexplain: Option<plan::Options>,
}

const USAGE: &str = "usage: moneta-routing-check <statements.hex> [--vtexplain PATH --schema FILE [--vschema-dir DIR] [--routing-rules FILE] [--shards N] [--allowlist FILE] [--batch N]]";

fn parse_args(args: impl IntoIterator<Item = String>) -> anyhow::Result<Args> {
    let mut log = None;
    let mut binary = None;
    let mut options = plan::Options::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .with_context(|| format!("{arg} needs a value; {USAGE}"))
        };
        match arg.as_str() {
            "--vtexplain" => binary = Some(value()?),
            "--schema" => options.schema = Some(value()?.into()),
            "--vschema-dir" => options.vschema_dir = value()?.into(),
            "--allowlist" => options.allowlist = value()?.into(),
            "--routing-rules" => options.routing_rules = value()?.into(),
            "--shards" => options.shards = value()?.parse().context("--shards")?,
            "--batch" => options.batch = value()?.parse().context("--batch")?,
            flag if flag.starts_with("--") => anyhow::bail!("unknown option {flag}; {USAGE}"),
            _ if log.is_none() => log = Some(arg),
            _ => anyhow::bail!("one log only; {USAGE}"),
        }
    }
    let vtexplain = match binary {
        Some(binary) => {
            options.binary = binary.into();
            if options.schema.is_none() {
                anyhow::bail!("--vtexplain needs --schema (the migrated schema's DDL); {USAGE}");
            }
            Some(options)
        }
        None if options.schema.is_some() => anyhow::bail!("--schema without --vtexplain; {USAGE}"),
        None => None,
    };
    Ok(Args {
        log: log.context(USAGE)?,
        vtexplain,
    })
}

fn main() -> anyhow::Result<()> {
    let args = parse_args(std::env::args().skip(1))?;
    let text =
        std::fs::read_to_string(&args.log).with_context(|| format!("reading {}", args.log))?;
    let (collected, report) = check_log(&text);
    drop(text);
    for line in &report.lines {
        println!("{line}");
    }
    let mut violations = report.violations;
    match &args.vtexplain {
        Some(options) => {
            let report = plan::check(&collected, options)?;
            for line in &report.lines {
                println!("{line}");
            }
            violations += report.violations;
        }
        None => println!(
            "routing by vtgate's planner not judged: pass --vtexplain (ci/vitess/build.sh builds it) and --schema"
        ),
    }
    if violations > 0 {
        std::process::exit(1);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(statements: &[(&str, &str)]) -> String {
        statements
            .iter()
            .map(|(thread, sql)| {
                let hex: String = sql.bytes().map(|b| format!("{b:02X}")).collect();
                format!("{thread}\t{hex}\n")
            })
            .collect()
    }

    const SETUP: &str = "SET sql_mode=(SELECT CONCAT(@@sql_mode, ',NO_ENGINE_SUBSTITUTION')),time_zone='+00:00',NAMES utf8mb4";

    #[test]
    fn a_log_with_a_cross_user_transaction_fails_the_check() {
        let (_, report) = check_log(&log(&[
            ("42", SETUP),
            ("42", "BEGIN"),
            (
                "42",
                "UPDATE `accounts` SET `sync_cursor` = 'c' WHERE `accounts`.`user_id` = 101 AND `accounts`.`id` = 1",
            ),
            (
                "42",
                "INSERT INTO `notifications` (`user_id`, `id`, `kind`) VALUES (202, 2, 'SYNC_COMPLETED')",
            ),
            ("42", "COMMIT"),
        ]));
        assert_eq!(report.violations, 1, "{:#?}", report.lines);
        let text = report.lines.join("\n");
        assert!(
            text.contains("VIOLATION (connection 42): one transaction binds users 101 and 202"),
            "{text}"
        );
        assert!(
            text.contains("[users: 202] INSERT INTO `notifications`"),
            "{text}"
        );
        assert!(
            text.ends_with("1 transactions (and 0 writes outside one) checked, 1 violations"),
            "{text}"
        );
    }

    #[test]
    fn a_violation_names_the_database_its_connection_opened() {
        let connect: String = "root@localhost on moneta_t_cache_reads_1a2b3c4d using TCP/IP"
            .bytes()
            .map(|b| format!("{b:02X}"))
            .collect();
        let text = format!(
            "7\t@{connect}\n{}",
            log(&[(
                "7",
                "SELECT `id`, ROW_NUMBER() OVER (ORDER BY `id`) FROM `transactions` WHERE `user_id` = 5"
            )])
        );
        let (_, report) = check_log(&text);
        assert_eq!(report.violations, 1, "{:#?}", report.lines);
        assert!(
            report.lines[0]
                .starts_with("VIOLATION (connection 7, database moneta_t_cache_reads_1a2b3c4d)"),
            "{:#?}",
            report.lines
        );
    }

    #[test]
    fn a_log_of_single_user_transactions_passes() {
        let (_, report) = check_log(&log(&[
            ("42", "BEGIN"),
            (
                "42",
                "UPDATE `accounts` SET `sync_cursor` = 'c' WHERE `accounts`.`user_id` = 101 AND `accounts`.`id` = 1",
            ),
            ("43", "BEGIN"),
            (
                "43",
                "INSERT INTO `notifications` (`user_id`, `id`, `kind`) VALUES (202, 2, 'SYNC_COMPLETED')",
            ),
            ("42", "COMMIT"),
            ("43", "COMMIT"),
            (
                "42",
                "INSERT INTO `seller_votes` (`seller`, `category`, `votes`) VALUES ('A', 'FOOD', 1) ON DUPLICATE KEY UPDATE `votes` = `votes` + 1",
            ),
        ]));
        assert_eq!(report.violations, 0, "{:#?}", report.lines);
        assert!(
            report
                .lines
                .join("\n")
                .ends_with("2 transactions (and 1 writes outside one) checked, 0 violations"),
            "{:#?}",
            report.lines
        );
    }
}
