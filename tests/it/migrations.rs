//! Migrations apply to an empty database and apply again as a no-op, on
//! the harness's backend (MariaDB in CI, SQLite otherwise).

use moneta_migration::Migrator;
use moneta_migration::sea_orm_migration::{MigratorTrait as _, SchemaManager};
use sea_orm::{ConnectionTrait as _, DatabaseConnection, Statement};

use crate::harness::{Backend, TestDb};

const TABLES: [&str; 11] = [
    "users",
    "user_emails",
    "refresh_tokens",
    "accounts",
    "transactions",
    "monthly_spending",
    "budget_overrides",
    "notifications",
    "sellers",
    "seller_votes",
    "user_seller_votes",
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
