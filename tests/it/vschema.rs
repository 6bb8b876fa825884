//! The Vitess VSchema agrees with the schema the migrations build: every
//! table lives in exactly one keyspace (a reference table's copies in the
//! sharded keyspace name their source), and every sharded table routes by
//! the user: its primary vindex is a `hash` on its user id column.
//! (No AUTO_INCREMENT and no foreign keys: `migrations::the_schema_follows_the_vitess_rules`.)

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait as _, Statement};
use serde_json::Value;

use crate::harness::{Backend, TestDb};

fn vschema(name: &str) -> Value {
    let path = format!("{}/vitess/vschema/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("vschema file")).expect("JSON")
}

/// Every table the migrations create, with its columns.
async fn tables(db: &TestDb) -> BTreeMap<String, Vec<String>> {
    let conn = db.connect().await;
    let backend = conn.get_database_backend();
    let names: Vec<String> = match db.backend() {
        Backend::MySql => conn
            .query_all_raw(Statement::from_string(backend, "SHOW TABLES"))
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get_by_index::<String>(0).unwrap())
            .collect(),
        Backend::Sqlite => conn
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            ))
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get_by_index::<String>(0).unwrap())
            .collect(),
    };
    let mut out = BTreeMap::new();
    for name in names {
        let columns = match db.backend() {
            Backend::MySql => conn
                .query_all_raw(Statement::from_string(
                    backend,
                    format!(
                        "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = '{name}'"
                    ),
                ))
                .await
                .unwrap()
                .iter()
                .map(|r| r.try_get_by_index::<String>(0).unwrap())
                .collect(),
            Backend::Sqlite => conn
                .query_all_raw(Statement::from_string(
                    backend,
                    format!("SELECT name FROM pragma_table_info('{name}')"),
                ))
                .await
                .unwrap()
                .iter()
                .map(|r| r.try_get_by_index::<String>(0).unwrap())
                .collect(),
        };
        out.insert(name, columns);
    }
    out
}

#[tokio::test]
async fn the_vschema_covers_every_table_and_shards_by_user() {
    let db = TestDb::new().await;
    let schema = tables(&db).await;
    let sharded = vschema("moneta");
    let global = vschema("moneta_global");
    assert_eq!(sharded["sharded"], true);
    assert_ne!(global["sharded"], true);

    let mut home: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for (keyspace, vs) in [("moneta", &sharded), ("moneta_global", &global)] {
        for (table, spec) in vs["tables"].as_object().unwrap() {
            // A reference copy in the sharded keyspace is not a home.
            if keyspace == "moneta" && spec["type"] == "reference" {
                let source = spec["source"]
                    .as_str()
                    .expect("reference tables name their source");
                assert_eq!(source, format!("moneta_global.{table}"));
                continue;
            }
            home.entry(table.clone()).or_default().push(keyspace);
        }
    }
    for table in schema.keys() {
        let homes = home.get(table).map(Vec::as_slice).unwrap_or_default();
        assert_eq!(homes.len(), 1, "{table} lives in {homes:?}");
    }
    for table in home.keys() {
        assert!(
            schema.contains_key(table),
            "the VSchema names {table}, which no migration creates"
        );
    }

    for (table, spec) in sharded["tables"].as_object().unwrap() {
        if spec["type"] == "reference" {
            continue;
        }
        let primary = &spec["column_vindexes"][0];
        assert_eq!(primary["name"], "hash", "{table}: primary vindex");
        let column = primary["column"].as_str().expect("one column");
        let expected = if table == "users" { "id" } else { "user_id" };
        assert_eq!(column, expected, "{table} routes by its user id");
        assert!(
            schema[table].iter().any(|c| c == column),
            "{table} has {column}"
        );
        assert_eq!(sharded["vindexes"]["hash"]["type"], "hash");
    }
}
