//! A fresh database per test.

use moneta_platform::config::Settings;
use sea_orm::{ConnectionTrait as _, Database, DatabaseConnection};
use secrecy::{ExposeSecret as _, SecretString};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    MySql,
}

/// The backend the suite runs on: MySQL/MariaDB when
/// `MONETA_TEST_DATABASE_URL` is set, SQLite otherwise.
pub fn backend() -> Backend {
    if server_url().is_some() {
        Backend::MySql
    } else {
        Backend::Sqlite
    }
}

/// Whether the suite runs on MariaDB, for a test that needs it (a real
/// server's behaviour under load or outages). Without
/// `MONETA_TEST_DATABASE_URL` the test says on stderr that it did not
/// run; under CI (`CI` set), where `.ci/run` always sets it, it fails.
pub fn required_mysql(test: &str) -> bool {
    let set = server_url().is_some();
    if !set {
        assert!(
            std::env::var_os("CI").is_none(),
            "{test} needs MONETA_TEST_DATABASE_URL, which CI must set"
        );
        eprintln!("MONETA_TEST_DATABASE_URL not set: {test} needs MariaDB and did not run");
    }
    set
}

fn server_url() -> Option<String> {
    std::env::var("MONETA_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .map(|u| u.trim_end_matches('/').to_owned())
}

/// A new, empty, migrated database, dropped with the value.
pub struct TestDb {
    url: String,
    mysql: Option<(String, String)>, // (server url, database name)
    _dir: tempfile::TempDir,
}

impl TestDb {
    pub async fn new() -> Self {
        let db = Self::empty().await;
        let mut settings = Settings::defaults();
        settings.database_url = Some(SecretString::from(db.url.clone()));
        settings.database_max_connections = 2;
        moneta::migrate(&settings).await.expect("migrations apply");
        db
    }

    /// A new database with no tables at all.
    pub async fn empty() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        match server_url() {
            Some(server) => {
                let name = database_name();
                let admin = Database::connect(&server).await.expect("MariaDB reachable");
                admin
                    .execute_unprepared(&format!(
                        "CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
                    ))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                Self {
                    url: format!("{server}/{name}"),
                    mysql: Some((server, name)),
                    _dir: dir,
                }
            }
            None => Self {
                url: format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display()),
                mysql: None,
                _dir: dir,
            },
        }
    }

    pub fn url(&self) -> SecretString {
        SecretString::from(self.url.clone())
    }

    pub fn backend(&self) -> Backend {
        if self.mysql.is_some() {
            Backend::MySql
        } else {
            Backend::Sqlite
        }
    }

    /// A direct connection, for looking behind the API.
    pub async fn connect(&self) -> DatabaseConnection {
        Database::connect(self.url().expose_secret())
            .await
            .expect("test database reachable")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((server, name)) = self.mysql.take() else {
            return;
        };
        // Drop is synchronous: drop the database from a thread of its own,
        // and do not wait for it. The test's runtime may still run a task of
        // the server inside a transaction on this database (a sync the test
        // did not wait for); `DROP DATABASE` waits for that transaction's
        // metadata lock, and the task cannot end while this thread blocks
        // the runtime. Once the test returns, its runtime and pools go, the
        // transaction rolls back and the drop goes through.
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                if let Ok(admin) = Database::connect(&server).await {
                    let _ = admin
                        .execute_unprepared("SET SESSION lock_wait_timeout = 120")
                        .await;
                    let _ = admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS `{name}`"))
                        .await;
                    let _ = admin.close().await;
                }
            });
            Ok::<_, std::io::Error>(())
        });
    }
}

/// `moneta_t_<test>_<random>`: the test's name (its thread's, under
/// `#[tokio::test]`) shows in MariaDB's general log, so the routing check
/// can say which test sent a statement. At most 64 characters.
fn database_name() -> String {
    let thread = std::thread::current();
    let test = thread
        .name()
        .and_then(|n| n.rsplit("::").next())
        .unwrap_or("test");
    let test: String = test
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(42)
        .collect();
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("moneta_t_{test}_{}", &random[..12])
}
