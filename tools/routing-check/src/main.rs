//! `moneta-routing-check <statements.hex>`: reads the statements captured
//! from MariaDB's general log while the integration suite ran (one
//! hex-encoded statement per line, `<thread id>\t<hex>`), and checks each
//! distinct statement against the Vitess routing rules (DESIGN.md §5).
//! Prints every violation with the statement and the connection it came
//! from, and how many distinct statements were checked; exits 1 on any
//! violation.

mod rules;

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

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .context("usage: moneta-routing-check <statements.hex>")?;
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    // Distinct statement shapes, with one example and where it came from.
    let mut shapes: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut total = 0usize;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let (thread, hex) = line.split_once('\t').unwrap_or(("?", line));
        let Some(sql) = decode_hex(hex.trim()) else {
            continue;
        };
        total += 1;
        shapes
            .entry(rules::shape(&sql))
            .or_insert_with(|| (sql, format!("connection {thread}")));
    }
    let mut violations = 0usize;
    let mut checked = 0usize;
    let mut allowed = BTreeMap::<&str, usize>::new();
    for (sql, source) in shapes.values() {
        match rules::check(sql) {
            rules::Verdict::Skipped => {}
            rules::Verdict::Routed => checked += 1,
            rules::Verdict::Allowed(name) => {
                checked += 1;
                *allowed.entry(name).or_default() += 1;
            }
            rules::Verdict::Violation(reasons) => {
                checked += 1;
                violations += 1;
                println!("VIOLATION ({source}): {}", reasons.join("; "));
                println!("    {}", sql.chars().take(400).collect::<String>());
            }
        }
    }
    for (name, n) in &allowed {
        println!("allowed by {name:?}: {n} statement shape(s)");
    }
    println!(
        "routing check: {total} statements captured, {} distinct, {checked} touching tables checked, {violations} violations",
        shapes.len()
    );
    if violations > 0 {
        std::process::exit(1);
    }
    Ok(())
}
