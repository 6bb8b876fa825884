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

/// `users.email_normalized` routes through a `consistent_lookup_unique`
/// vindex owned by `users`, and its backing table has the shape vtgate
/// writes: `from` is the primary key, `to` holds an 8-byte keyspace id,
/// and every other column has a default (vtgate's insert names only
/// `from` and `to`). Plain MariaDB/SQLite find users by email through an
/// index on `users.email_normalized`.
#[tokio::test]
async fn the_email_lookup_vindex_is_a_consistent_lookup_over_the_migrated_table() {
    let sharded = vschema("moneta");
    let vindex = &sharded["vindexes"]["users_email_lookup"];
    assert_eq!(vindex["type"], "consistent_lookup_unique");
    assert_eq!(vindex["owner"], "users");
    assert_eq!(vindex["params"]["table"], "moneta_global.user_emails");
    assert_eq!(vindex["params"]["from"], "email_normalized");
    assert_eq!(vindex["params"]["to"], "keyspace_id");
    assert!(
        sharded["tables"]["users"]["column_vindexes"]
            .as_array()
            .unwrap()
            .contains(
                &serde_json::json!({ "column": "email_normalized", "name": "users_email_lookup" })
            )
    );
    assert!(
        vschema("moneta_global")["tables"]
            .as_object()
            .unwrap()
            .contains_key("user_emails")
    );

    let db = TestDb::new().await;
    let conn = db.connect().await;
    let backend = conn.get_database_backend();
    let query = |sql: String| {
        let conn = &conn;
        async move {
            conn.query_all_raw(Statement::from_string(backend, sql))
                .await
                .unwrap()
        }
    };
    // (name, type, nullable, has a default, position in the primary key)
    let columns: Vec<(String, String, bool, bool, i64)> = match db.backend() {
        Backend::MySql => query(
            "SELECT c.column_name, c.column_type, CAST(c.is_nullable = 'YES' AS SIGNED), \
             CAST(c.column_default IS NOT NULL AS SIGNED), \
             CAST(COALESCE((SELECT s.seq_in_index FROM information_schema.statistics s \
                       WHERE s.table_schema = c.table_schema AND s.table_name = c.table_name \
                         AND s.index_name = 'PRIMARY' AND s.column_name = c.column_name), 0) AS SIGNED) \
             FROM information_schema.columns c \
             WHERE c.table_schema = DATABASE() AND c.table_name = 'user_emails'"
                .to_owned(),
        )
        .await
        .iter()
        .map(|r| {
            (
                r.try_get_by_index::<String>(0).unwrap(),
                r.try_get_by_index::<String>(1).unwrap().to_lowercase(),
                r.try_get_by_index::<i64>(2).unwrap() != 0,
                r.try_get_by_index::<i64>(3).unwrap() != 0,
                r.try_get_by_index::<i64>(4).unwrap(),
            )
        })
        .collect(),
        Backend::Sqlite => query(
            "SELECT name, type, \"notnull\" = 0, dflt_value IS NOT NULL, pk FROM pragma_table_info('user_emails')"
                .to_owned(),
        )
        .await
        .iter()
        .map(|r| {
            (
                r.try_get_by_index::<String>(0).unwrap(),
                r.try_get_by_index::<String>(1).unwrap().to_lowercase(),
                r.try_get_by_index::<bool>(2).unwrap(),
                r.try_get_by_index::<bool>(3).unwrap(),
                r.try_get_by_index::<i64>(4).unwrap(),
            )
        })
        .collect(),
    };
    let column = |name: &str| {
        columns
            .iter()
            .find(|c| c.0 == name)
            .unwrap_or_else(|| panic!("user_emails.{name} in {columns:?}"))
    };
    let from = column("email_normalized");
    assert_eq!(from.4, 1, "the `from` column is the primary key");
    assert!(
        columns.iter().all(|c| c.0 == from.0 || c.4 == 0),
        "{columns:?}"
    );
    let to = column("keyspace_id");
    assert!(
        to.1 == "varbinary(8)" || to.1.contains("blob"),
        "keyspace_id is {}",
        to.1
    );
    assert!(!to.2, "keyspace_id is NOT NULL");
    assert!(
        columns
            .iter()
            .all(|c| c.0 == "email_normalized" || c.0 == "keyspace_id" || c.2 || c.3),
        "every other column has a default: {columns:?}"
    );
    assert!(columns.iter().all(|c| c.0 != "user_id"), "{columns:?}");

    // vtgate's own insert fits the table.
    conn.execute_unprepared(
        "INSERT INTO user_emails (email_normalized, keyspace_id) VALUES ('vt@example.com', X'166B40B44ABA4BD6')",
    )
    .await
    .expect("an insert of `from` and `to` only");

    // users.email_normalized leads an index.
    let indexed = match db.backend() {
        Backend::MySql => !query(
            "SELECT 1 FROM information_schema.statistics WHERE table_schema = DATABASE() \
             AND table_name = 'users' AND column_name = 'email_normalized' AND seq_in_index = 1"
                .to_owned(),
        )
        .await
        .is_empty(),
        Backend::Sqlite => !query(
            "SELECT 1 FROM pragma_index_list('users') l, pragma_index_info(l.name) i \
             WHERE i.name = 'email_normalized' AND i.seqno = 0"
                .to_owned(),
        )
        .await
        .is_empty(),
    };
    assert!(indexed, "users.email_normalized is indexed");
}
