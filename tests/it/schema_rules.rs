//! The storage rules of the sharded keyspace, read off the migrated
//! schema (MariaDB in CI, SQLite otherwise): every index of a user-owned
//! table, its primary key included, starts with `user_id` (`users`: its
//! `id`, which is the user id), so every lookup by an index is a lookup
//! within one user — one shard, one index range. Only the global tables,
//! named here, are exempt, and every table is one or the other.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait as _, DatabaseConnection, Statement};

use crate::harness::{Backend, TestDb};

/// The unsharded keyspace's tables (`vitess/vschema/moneta_global.json`)
/// and the migrator's own.
const GLOBAL: [&str; 4] = ["user_emails", "sellers", "seller_votes", "seaql_migrations"];

/// Indexes of `users` that do not start with its id, each with its reason.
const USERS_EXCEPTIONS: [(&str, &str); 2] = [
    (
        "email_normalized",
        "the lookup vindex's column: sign-in finds the user by email",
    ),
    (
        "deleted_at",
        "the hourly scan for unfinished erasures (a reviewed scatter)",
    ),
];

#[derive(Debug, Default)]
struct Index {
    primary: bool,
    columns: Vec<String>,
}

/// Every index of every table, with its columns in order.
async fn indexes(db: &DatabaseConnection, backend: Backend) -> BTreeMap<(String, String), Index> {
    let sql = match backend {
        Backend::MySql => {
            "SELECT TABLE_NAME, INDEX_NAME, INDEX_NAME = 'PRIMARY', COLUMN_NAME \
             FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() \
             ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX"
        }
        Backend::Sqlite => {
            // The primary key from the table's columns: a rowid alias
            // has no index of its own.
            "SELECT m.name, il.name, 0, ii.name, ii.seqno \
             FROM sqlite_master m, pragma_index_list(m.name) il, pragma_index_info(il.name) ii \
             WHERE m.type = 'table' AND il.origin <> 'pk' \
             UNION ALL \
             SELECT m.name, 'PRIMARY', 1, ti.name, ti.pk \
             FROM sqlite_master m, pragma_table_info(m.name) ti \
             WHERE m.type = 'table' AND ti.pk > 0 \
             ORDER BY 1, 2, 5"
        }
    };
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("the schema's indexes");
    let mut indexes: BTreeMap<(String, String), Index> = BTreeMap::new();
    for row in rows {
        let table: String = row.try_get_by_index(0).expect("table");
        let index: String = row.try_get_by_index(1).expect("index");
        let primary: bool = row.try_get_by_index::<i64>(2).expect("primary") != 0;
        let column: String = row.try_get_by_index(3).expect("column");
        let entry = indexes.entry((table, index)).or_default();
        entry.primary |= primary;
        entry.columns.push(column);
    }
    indexes
}

async fn tables(db: &DatabaseConnection, backend: Backend) -> Vec<String> {
    let sql = match backend {
        Backend::MySql => {
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
        }
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
    };
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("the schema's tables")
        .iter()
        .map(|r| r.try_get_by_index(0).expect("name"))
        .collect()
}

/// What breaks the rule, one line each.
fn violations(tables: &[String], indexes: &BTreeMap<(String, String), Index>) -> Vec<String> {
    let mut problems = Vec::new();
    for table in tables.iter().filter(|t| !GLOBAL.contains(&t.as_str())) {
        let key = if table == "users" { "id" } else { "user_id" };
        let of_table = indexes.iter().filter(|((t, _), _)| t == table);
        let mut has_primary = false;
        for ((_, name), index) in of_table {
            has_primary |= index.primary;
            let leading = index
                .columns
                .first()
                .map(String::as_str)
                .unwrap_or_default();
            let excepted = table == "users"
                && USERS_EXCEPTIONS
                    .iter()
                    .any(|(column, _)| *column == leading);
            if leading != key && !excepted {
                problems.push(format!(
                    "{table}.{name} ({}) does not start with {key}",
                    index.columns.join(", ")
                ));
            }
        }
        if !has_primary {
            problems.push(format!("{table} has no primary key starting with {key}"));
        }
    }
    problems
}

#[tokio::test]
async fn every_index_of_a_user_owned_table_starts_with_the_user_id() {
    let test_db = TestDb::new().await;
    let db = test_db.connect().await;
    let tables = tables(&db, test_db.backend()).await;
    let indexes = indexes(&db, test_db.backend()).await;
    for table in [
        "users",
        "transactions",
        "monthly_spending",
        "spending_changes",
    ] {
        assert!(tables.iter().any(|t| t == table), "{table} in {tables:?}");
    }
    assert!(
        indexes.contains_key(&(
            "transactions".to_owned(),
            "ix_transactions_user_posted".to_owned()
        )),
        "the indexes were read: {indexes:?}"
    );
    let problems = violations(&tables, &indexes);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn an_index_not_led_by_the_user_id_and_a_missing_primary_key_are_reported() {
    let index = |primary: bool, columns: &[&str]| Index {
        primary,
        columns: columns.iter().map(|c| (*c).to_owned()).collect(),
    };
    let tables: Vec<String> = ["transactions", "budgets", "users", "sellers"]
        .map(str::to_owned)
        .into();
    let indexes: BTreeMap<(String, String), Index> = [
        (("transactions", "PRIMARY"), index(true, &["user_id", "id"])),
        (
            ("transactions", "ix_seller"),
            index(false, &["seller_normalized", "user_id"]),
        ),
        (("budgets", "ix_user"), index(false, &["user_id"])),
        (("users", "PRIMARY"), index(true, &["id"])),
        (("users", "ux_email"), index(false, &["email_normalized"])),
        (("users", "ix_created"), index(false, &["created_at"])),
        (("sellers", "PRIMARY"), index(true, &["normalized_name"])),
    ]
    .into_iter()
    .map(|((t, i), x)| ((t.to_owned(), i.to_owned()), x))
    .collect();
    assert_eq!(
        violations(&tables, &indexes),
        [
            "transactions.ix_seller (seller_normalized, user_id) does not start with user_id",
            "budgets has no primary key starting with user_id",
            "users.ix_created (created_at) does not start with id",
        ]
    );
}
