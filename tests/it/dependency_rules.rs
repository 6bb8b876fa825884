//! Which crate may depend on what, read from `cargo metadata`: only `core`
//! (and the crates that open, migrate or define the database) depends on
//! SeaORM and the entities; only `api` (and the root that serves it) on
//! poem, tungstenite and async-graphql; only `workers` on the cron scheduler. The
//! architecture's "dependencies point one way" and "only `core` touches
//! the database", kept true by a check.

use std::collections::BTreeSet;
use std::process::Command;

use serde_json::Value;

/// Which packages a dependency applies to.
#[derive(Debug, Clone, Copy)]
enum Kinds {
    /// Normal dependencies only (tests and build scripts may use it).
    Normal,
    /// Every kind: normal, dev and build.
    All,
}

/// A rule: dependencies whose name `matches` are allowed only in `allowed`.
struct Rule {
    what: &'static str,
    matches: fn(&str) -> bool,
    kinds: Kinds,
    allowed: &'static [&'static str],
}

const RULES: [Rule; 3] = [
    Rule {
        what: "the database (SeaORM and the entities) is reached only through `core`",
        matches: |name| matches!(name, "moneta-entities" | "sea-orm" | "sea-orm-migration"),
        kinds: Kinds::Normal,
        // `platform` opens the pool and probes it, `migration` changes the
        // schema, `entities` defines it; the root `moneta` package holds
        // the pool as `moneta_platform::db::DatabaseConnection` and needs
        // no SeaORM of its own (its tests and benches do: dev-dependency).
        allowed: &[
            "moneta-core",
            "moneta-platform",
            "moneta-migration",
            "moneta-entities",
        ],
    },
    Rule {
        what: "HTTP, WebSocket and GraphQL (poem, tungstenite, async-graphql) belong to `api` and the root that serves it",
        matches: |name| {
            name.starts_with("poem")
                || name.starts_with("async-graphql")
                || name.ends_with("tungstenite")
        },
        kinds: Kinds::Normal,
        allowed: &["moneta-api", "moneta"],
    },
    Rule {
        what: "cron (tokio-cron-scheduler) belongs to `workers`",
        matches: |name| name == "tokio-cron-scheduler",
        kinds: Kinds::All,
        allowed: &["moneta-workers"],
    },
];

/// `dependencies[].kind` in cargo metadata: null for normal, else "dev" or
/// "build".
fn applies(kinds: Kinds, kind: &Value) -> bool {
    match kinds {
        Kinds::Normal => kind.is_null(),
        Kinds::All => true,
    }
}

/// Every dependency of `metadata`'s packages that breaks a rule, as "<package>
/// depends on <dependency> (<kind>): <rule>".
fn violations(metadata: &Value) -> Vec<String> {
    let mut found = Vec::new();
    for package in metadata["packages"].as_array().into_iter().flatten() {
        let name = package["name"].as_str().unwrap_or("?");
        for dependency in package["dependencies"].as_array().into_iter().flatten() {
            let dep = dependency["name"].as_str().unwrap_or("?");
            let kind = &dependency["kind"];
            for rule in &RULES {
                if (rule.matches)(dep) && applies(rule.kinds, kind) && !rule.allowed.contains(&name)
                {
                    found.push(format!(
                        "{name} depends on {dep} ({}): {}; only {} may",
                        kind.as_str().unwrap_or("normal"),
                        rule.what,
                        rule.allowed.join(", ")
                    ));
                }
            }
        }
    }
    found
}

/// The workspace's own packages, as cargo sees them.
fn workspace_metadata() -> Value {
    let output = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .arg("--manifest-path")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn each_crate_depends_only_on_what_its_layer_may() {
    let metadata = workspace_metadata();
    let names: BTreeSet<&str> = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    for expected in ["moneta", "moneta-api", "moneta-core", "moneta-workers"] {
        assert!(names.contains(expected), "{expected} not in {names:?}");
    }
    // The check reads real dependencies: core's SeaORM is seen (and allowed).
    let core = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "moneta-core")
        .unwrap();
    assert!(
        core["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["name"] == "sea-orm"),
        "moneta-core's dependencies were not read"
    );
    let found = violations(&metadata);
    assert!(
        found.is_empty(),
        "dependency rules broken:\n{}",
        found.join("\n")
    );
}

#[test]
fn a_forbidden_dependency_is_reported_with_its_crate() {
    let metadata = serde_json::json!({
        "packages": [
            { "name": "moneta-api", "dependencies": [
                { "name": "sea-orm", "kind": null },
                { "name": "poem", "kind": null },
                { "name": "moneta-core", "kind": null },
            ]},
            { "name": "moneta-workers", "dependencies": [
                // Tests may use the database directly; cron is theirs.
                { "name": "moneta-entities", "kind": "dev" },
                { "name": "tokio-cron-scheduler", "kind": null },
            ]},
            { "name": "moneta-core", "dependencies": [
                { "name": "sea-orm", "kind": null },
                { "name": "async-graphql-value", "kind": null },
                { "name": "tokio-cron-scheduler", "kind": "dev" },
            ]},
            { "name": "moneta", "dependencies": [
                { "name": "poem", "kind": null },
                { "name": "sea-orm-migration", "kind": null },
            ]},
        ]
    });
    let found = violations(&metadata);
    let reported: Vec<(&str, &str)> = found
        .iter()
        .map(|v| {
            let mut words = v.split(' ');
            let package = words.next().unwrap();
            let dependency = words.nth(2).unwrap();
            (package, dependency)
        })
        .collect();
    assert_eq!(
        reported,
        [
            ("moneta-api", "sea-orm"),
            ("moneta-core", "async-graphql-value"),
            ("moneta-core", "tokio-cron-scheduler"),
            ("moneta", "sea-orm-migration"),
        ],
        "{found:#?}"
    );
}
