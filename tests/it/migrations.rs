//! Migrations apply to an empty database and apply again as a no-op, on
//! the harness's backend (MariaDB in CI, SQLite otherwise).

use moneta_migration::Migrator;
use moneta_migration::sea_orm_migration::{MigratorTrait as _, SchemaManager};
use sea_orm::{ConnectionTrait as _, DatabaseConnection, Statement};

use crate::harness::{Backend, TestDb};

const TABLES: [&str; 17] = [
    "users",
    "user_emails",
    "refresh_tokens",
    "accounts",
    "transactions",
    "monthly_spending",
    "budget_overrides",
    "spending_changes",
    "notifications",
    "sellers",
    "seller_votes",
    "user_seller_votes",
    "category_rules",
    "rule_applications",
    "rule_application_changes",
    "transfers",
    "imports",
];

async fn ddl(db: &DatabaseConnection, backend: Backend, table: &str) -> String {
    let sql = match backend {
        Backend::MySql => format!("SHOW CREATE TABLE `{table}`"),
        Backend::Sqlite => {
            format!("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '{table}'")
        }
    };
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("query")
        .expect("table exists");
    row.try_get_by_index(match backend {
        Backend::MySql => 1,
        Backend::Sqlite => 0,
    })
    .expect("ddl")
}

#[tokio::test]
async fn migrations_apply_to_an_empty_database_and_again_as_a_no_op() {
    let test_db = TestDb::empty().await;
    let db = test_db.connect().await;
    let manager = SchemaManager::new(&db);
    for table in TABLES {
        assert!(!manager.has_table(table).await.expect("query"), "{table}");
    }
    Migrator::up(&db, None).await.expect("first run");
    let before: Vec<String> =
        futures_util::future::join_all(TABLES.iter().map(|t| ddl(&db, test_db.backend(), t))).await;
    Migrator::up(&db, None)
        .await
        .expect("second run is a no-op");
    let after: Vec<String> =
        futures_util::future::join_all(TABLES.iter().map(|t| ddl(&db, test_db.backend(), t))).await;
    assert_eq!(before, after);
    assert!(
        Migrator::get_pending_migrations(&db)
            .await
            .expect("status")
            .is_empty()
    );
}

/// The Vitess rules, as the live schema shows them.
#[tokio::test]
async fn the_schema_follows_the_vitess_rules() {
    let test_db = TestDb::new().await;
    let db = test_db.connect().await;
    for table in TABLES {
        let ddl = ddl(&db, test_db.backend(), table).await;
        let upper = ddl.to_uppercase();
        assert!(
            !upper.contains("AUTO_INCREMENT") && !upper.contains("AUTOINCREMENT"),
            "{ddl}"
        );
        assert!(
            !upper.contains("FOREIGN KEY") && !upper.contains("REFERENCES"),
            "{ddl}"
        );
        assert!(!upper.contains("DECIMAL"), "money is integer cents: {ddl}");
        if test_db.backend() == Backend::MySql {
            assert!(ddl.contains("CHARSET=utf8mb4"), "{ddl}");
            assert!(!upper.contains(" TIMESTAMP"), "{ddl}");
        }
    }
    let transactions = ddl(&db, test_db.backend(), "transactions").await;
    if test_db.backend() == Backend::MySql {
        assert!(
            transactions.contains("`posted_at` datetime(6) NOT NULL"),
            "{transactions}"
        );
        assert!(
            transactions.contains("PRIMARY KEY (`user_id`,`id`)"),
            "{transactions}"
        );
    } else {
        assert!(transactions.contains("DATETIME(6)"), "{transactions}");
    }
}

/// Email claims made before the lookup table held keyspace ids are
/// migrated: each gets the keyspace id of its user id (Vitess's `hash`),
/// and `down` gives the user ids back.
#[tokio::test]
async fn existing_email_claims_get_their_users_keyspace_id() {
    let test_db = TestDb::empty().await;
    let db = test_db.connect().await;
    Migrator::up(&db, Some(1))
        .await
        .expect("the first migration");
    let claims: Vec<(String, i64)> = (0..3)
        .map(|i| (format!("old{i}@example.com"), 120_038_332_997_988_352 + i))
        .chain([("one@example.com".to_owned(), 1)])
        .collect();
    let backend = db.get_database_backend();
    for (email, user_id) in &claims {
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            "INSERT INTO user_emails (email_normalized, user_id, created_at) VALUES (?, ?, ?)",
            [
                email.clone().into(),
                (*user_id).into(),
                chrono::Utc::now().into(),
            ],
        ))
        .await
        .expect("an old claim");
    }

    Migrator::up(&db, None).await.expect("the rest");
    let select = |column: &str| {
        Statement::from_string(
            backend,
            format!("SELECT email_normalized, {column} FROM user_emails ORDER BY email_normalized"),
        )
    };
    let rows = db.query_all_raw(select("keyspace_id")).await.expect("rows");
    assert_eq!(rows.len(), claims.len());
    for row in &rows {
        let email: String = row.try_get_by_index(0).expect("email");
        let keyspace_id: Vec<u8> = row.try_get_by_index(1).expect("keyspace id");
        let (_, user_id) = claims.iter().find(|(e, _)| *e == email).expect("a claim");
        assert_eq!(
            keyspace_id,
            moneta_core::auth::keyspace_id(moneta_core::UserId::new(*user_id)).to_vec(),
            "{email}"
        );
        if *user_id == 1 {
            assert_eq!(
                keyspace_id,
                [0x16, 0x6b, 0x40, 0xb4, 0x4a, 0xba, 0x4b, 0xd6]
            );
        }
    }

    // Every migration after the first: the later ones, then this one.
    let after_first = (Migrator::migrations().len() - 1) as u32;
    Migrator::down(&db, Some(after_first))
        .await
        .expect("down to the first migration");
    let rows = db.query_all_raw(select("user_id")).await.expect("rows");
    let mut back: Vec<(String, i64)> = rows
        .iter()
        .map(|r| {
            (
                r.try_get_by_index(0).expect("email"),
                r.try_get_by_index(1).expect("user id"),
            )
        })
        .collect();
    let mut expected = claims.clone();
    back.sort();
    expected.sort();
    assert_eq!(back, expected);
    Migrator::up(&db, None).await.expect("up again");
    assert_eq!(
        db.query_all_raw(select("keyspace_id"))
            .await
            .expect("rows")
            .len(),
        claims.len()
    );
}
