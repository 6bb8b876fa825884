//! The suite runs on the backends it was pointed at: when CI sets
//! `MONETA_TEST_DATABASE_URL` and `MONETA_TEST_REDIS_URL`, these tests fail
//! unless the server really runs on MariaDB and Redis.

use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};
use serde_json::Value;

use crate::harness::{Backend, TestApp};

#[tokio::test]
async fn runs_on_the_configured_database_and_redis() {
    let app = TestApp::spawn().await;
    let body: Value = app.get("/readyz").await.json().await.expect("json");
    let backend_of = |name: &str| {
        body["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .find(|c| c["name"] == name)
            .map(|c| c["backend"].as_str().expect("backend").to_owned())
            .expect("check present")
    };

    let expected_db = match crate::harness::db::backend() {
        Backend::MySql => "mysql",
        Backend::Sqlite => "sqlite",
    };
    assert_eq!(backend_of("database"), expected_db);
    assert_eq!(
        std::env::var("MONETA_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()),
        expected_db == "mysql"
    );
    let expected_redis = if std::env::var("MONETA_TEST_REDIS_URL").is_ok_and(|u| !u.is_empty()) {
        "redis"
    } else {
        "in-process"
    };
    assert_eq!(backend_of("redis"), expected_redis);

    // And the data really lands there.
    app.register("backend@example.com", "a long enough password")
        .await;
    let db = app.db.connect().await;
    assert_eq!(
        db.get_database_backend(),
        match expected_db {
            "mysql" => sea_orm::DbBackend::MySql,
            _ => sea_orm::DbBackend::Sqlite,
        }
    );
    let stored = moneta_entities::users::Entity::find()
        .filter(moneta_entities::users::Column::EmailNormalized.eq("backend@example.com"))
        .one(&db)
        .await
        .expect("query");
    let stored = stored.expect("user stored in the test database");
    assert!(stored.password_hash.starts_with("$argon2id$"));
}

/// What `platform::db::connect` sets up on each backend: on MySQL a UTC
/// session without `PIPES_AS_CONCAT`; on SQLite the WAL journal.
#[tokio::test]
async fn connections_are_configured_for_their_backend() {
    use sea_orm::ConnectionTrait as _;
    let test_db = crate::harness::TestDb::new().await;
    let mut settings = moneta_platform::config::Settings::defaults();
    settings.database_url = Some(test_db.url());
    settings.database_max_connections = 1;
    let db = moneta_platform::db::connect(&settings)
        .await
        .expect("connect");
    let query =
        |sql: &str| sea_orm::Statement::from_string(db.get_database_backend(), sql.to_owned());
    match test_db.backend() {
        Backend::MySql => {
            let row = db
                .query_one_raw(query(
                    "SELECT @@SESSION.sql_mode AS m, @@SESSION.time_zone AS tz",
                ))
                .await
                .expect("query")
                .expect("row");
            let mode: String = row.try_get("", "m").expect("sql_mode");
            let tz: String = row.try_get("", "tz").expect("time_zone");
            assert!(!mode.contains("PIPES_AS_CONCAT"), "{mode}");
            assert_eq!(tz, "+00:00");
        }
        Backend::Sqlite => {
            let row = db
                .query_one_raw(query("PRAGMA journal_mode"))
                .await
                .expect("query")
                .expect("row");
            let mode: String = row.try_get_by_index(0).expect("journal_mode");
            assert_eq!(mode, "wal");
        }
    }
}
