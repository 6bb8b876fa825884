//! Where vtgate finds each table of the migrated schema. vtexplain ignores
//! routing rules (its topology serves only the keyspaces' VSchemas) and
//! runs without a default keyspace, finding each table in the keyspace that
//! declares it; the application connects to the sharded keyspace and
//! reaches the unsharded tables through `routing_rules.json`. This checks
//! that the two agree: every table of the schema is declared in a keyspace,
//! and each one the sharded keyspace does not declare has a routing rule
//! from there to the keyspace that does.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// The table names of a DDL dump (`CREATE TABLE [IF NOT EXISTS] name`).
pub fn tables_of_schema(ddl: &str) -> BTreeSet<String> {
    let lower = ddl.to_lowercase();
    let mut tables = BTreeSet::new();
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("create table") {
        rest = &rest[at + "create table".len()..];
        let mut words = rest.split_whitespace();
        let mut name = words.next().unwrap_or("");
        if name == "if" {
            name = words.nth(2).unwrap_or("");
        }
        let name = name.split('(').next().unwrap_or("").trim_matches('`');
        let name = name.rsplit('.').next().unwrap_or(name).trim_matches('`');
        if !name.is_empty() {
            tables.insert(name.to_owned());
        }
    }
    tables
}

/// Problems with where the schema's tables are found: none when vtgate
/// finds every table the same way from the sharded keyspace as vtexplain
/// does without one.
pub fn check(tables: &BTreeSet<String>, vschemas: &Value, rules: &Value) -> Vec<String> {
    let mut declared: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut sharded = Vec::new();
    if let Some(keyspaces) = vschemas.as_object() {
        for (keyspace, vschema) in keyspaces {
            if vschema.get("sharded").and_then(Value::as_bool) == Some(true) {
                sharded.push(keyspace.as_str());
            }
            if let Some(names) = vschema.get("tables").and_then(Value::as_object) {
                for name in names.keys() {
                    declared.entry(name.as_str()).or_default().insert(keyspace);
                }
            }
        }
    }
    let routed: BTreeMap<&str, Vec<&str>> = rules
        .get("rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|rule| {
            let from = rule.get("from_table")?.as_str()?;
            let to = rule.get("to_tables")?.as_array()?;
            Some((from, to.iter().filter_map(Value::as_str).collect()))
        })
        .collect();
    let mut problems = Vec::new();
    for (from, to) in &routed {
        for target in to {
            let found = target
                .split_once('.')
                .is_some_and(|(ks, t)| declared.get(t).is_some_and(|k| k.contains(ks)));
            if !found {
                problems.push(format!(
                    "routing rule {from} → {target}: no such table in that keyspace's VSchema"
                ));
            }
        }
    }
    for table in tables {
        let Some(keyspaces) = declared.get(table.as_str()) else {
            problems.push(format!(
                "table {table} of the migrated schema is in no keyspace's VSchema"
            ));
            continue;
        };
        for keyspace in &sharded {
            if !keyspaces.contains(keyspace)
                && !routed.contains_key(format!("{keyspace}.{table}").as_str())
            {
                problems.push(format!(
                    "table {table} is not in {keyspace} and has no routing rule {keyspace}.{table} → {}.{table}: the application, connected to {keyspace}, cannot reach it",
                    keyspaces.iter().next().copied().unwrap_or("?")
                ));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_come_from_the_dump() {
        let ddl = "/*!40101 SET x */;\nCREATE TABLE `accounts` (\n  `id` bigint\n);\ncreate table if not exists `moneta`.`users`(`id` bigint);\nCREATE TABLE seller_votes (x int);";
        assert_eq!(
            tables_of_schema(ddl),
            BTreeSet::from(["accounts".into(), "seller_votes".into(), "users".into()])
        );
    }

    fn repository() -> (Value, Value) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vitess");
        let (json, _) = crate::vtexplain::combined_vschema(&dir.join("vschema")).unwrap();
        let rules = std::fs::read_to_string(dir.join("routing_rules.json")).unwrap();
        (
            serde_json::from_str(&json).unwrap(),
            serde_json::from_str(&rules).unwrap(),
        )
    }

    #[test]
    fn the_repository_vschema_and_rules_place_every_table() {
        let (vschemas, rules) = repository();
        let tables: BTreeSet<String> = [
            "users",
            "accounts",
            "transactions",
            "sellers",
            "seller_votes",
            "user_emails",
            "seaql_migrations",
        ]
        .map(String::from)
        .into();
        assert_eq!(check(&tables, &vschemas, &rules), Vec::<String>::new());
    }

    #[test]
    fn a_table_without_a_keyspace_or_without_a_rule_is_a_problem() {
        let (vschemas, _) = repository();
        let tables: BTreeSet<String> = ["users", "seller_votes", "audit_log"]
            .map(String::from)
            .into();
        let rules = serde_json::json!({"rules": [
            {"from_table": "moneta.gone", "to_tables": ["moneta_global.gone"]}
        ]});
        let problems = check(&tables, &vschemas, &rules);
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(
            problems[0].starts_with("routing rule moneta.gone"),
            "{problems:#?}"
        );
        assert!(
            problems[1].contains("audit_log of the migrated schema is in no keyspace"),
            "{problems:#?}"
        );
        assert!(
            problems[2]
                .contains("no routing rule moneta.seller_votes → moneta_global.seller_votes"),
            "{problems:#?}"
        );
    }
}
