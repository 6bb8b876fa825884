//! TLS to MySQL: each `MONETA_DATABASE_TLS_MODE` against a MariaDB of this
//! test's own (a private `mariadbd` on a free loopback port, with a
//! certificate made at test time; the shared server is never touched).
//!
//! Runs only when `MONETA_TEST_DATABASE_URL` is set (CI sets it); then a
//! missing `mariadbd` or `mariadb-install-db` fails it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use moneta_platform::config::{DatabaseTlsMode, Settings};
use sea_orm::{ConnectionTrait as _, DatabaseConnection, Statement};
use secrecy::SecretString;

use crate::harness::certs::Certificates;

/// A private `mariadbd` with TLS, anyone may log in (`--skip-grant-tables`).
/// Killed when dropped; its error log is shown when the test fails.
struct TlsMariaDb {
    child: Child,
    port: u16,
    certificates: Certificates,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

fn program(name: &str) -> PathBuf {
    ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"]
        .iter()
        .map(|dir| Path::new(dir).join(name))
        .find(|p| p.exists())
        .unwrap_or_else(|| {
            panic!(
                "MONETA_TEST_DATABASE_URL is set, so the MySQL TLS test must run, but {name} \
                 is not installed (Debian: mariadb-server)"
            )
        })
}

impl TlsMariaDb {
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let certificates = Certificates::generate(dir.path());
        let data = dir.path().join("data");
        let log = dir.path().join("mariadb.err");
        let installed = Command::new(program("mariadb-install-db"))
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .args([
                "--user=root",
                "--skip-test-db",
                "--auth-root-authentication-method=normal",
            ])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            installed.status.success(),
            "mariadb-install-db failed:\n{}{}",
            String::from_utf8_lossy(&installed.stdout),
            String::from_utf8_lossy(&installed.stderr)
        );
        let port = free_port();
        let path = |p: &Path| p.display().to_string();
        let child = Command::new(program("mariadbd"))
            .arg("--no-defaults")
            .arg(format!("--datadir={}", path(&data)))
            .arg(format!(
                "--socket={}",
                path(&dir.path().join("mariadb.sock"))
            ))
            .arg(format!(
                "--pid-file={}",
                path(&dir.path().join("mariadb.pid"))
            ))
            .arg(format!("--log-error={}", path(&log)))
            .arg(format!("--port={port}"))
            .args([
                "--bind-address=127.0.0.1",
                "--user=root",
                "--skip-grant-tables",
            ])
            .args(["--skip-log-bin", "--innodb-buffer-pool-size=16M"])
            .arg(format!("--ssl-ca={}", path(&certificates.ca)))
            .arg(format!("--ssl-cert={}", path(&certificates.cert)))
            .arg(format!("--ssl-key={}", path(&certificates.key)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        Self {
            child,
            port,
            certificates,
            log,
            _dir: dir,
        }
    }

    fn url(&self) -> String {
        format!("mysql://root@127.0.0.1:{}/mysql", self.port)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_else(|e| format!("(no log: {e})"))
    }

    /// Polls until a plain connection gets an answer.
    async fn wait_until_it_answers(&mut self) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("mariadbd exited with {status}:\n{}", self.log());
            }
            let last = match connect(self, Some(DatabaseTlsMode::Disabled), None).await {
                Ok(_) => return,
                Err(e) => e,
            };
            assert!(
                tokio::time::Instant::now() < deadline,
                "mariadbd never answered ({last}):\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for TlsMariaDb {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("mariadbd log:\n{}", self.log());
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// `platform::db::connect` with these TLS settings, validated first.
async fn connect(
    server: &TlsMariaDb,
    mode: Option<DatabaseTlsMode>,
    ca: Option<&Path>,
) -> Result<DatabaseConnection, String> {
    connect_to(&server.url(), mode, ca).await
}

async fn connect_to(
    url: &str,
    mode: Option<DatabaseTlsMode>,
    ca: Option<&Path>,
) -> Result<DatabaseConnection, String> {
    let mut settings = Settings::defaults();
    settings.database_url = Some(SecretString::from(url.to_owned()));
    settings.database_max_connections = 1;
    settings.tls.database_tls_mode = mode;
    settings.tls.database_tls_ca_file = ca.map(Path::to_owned);
    settings.validate().map_err(|e| e.to_string())?;
    moneta_platform::db::connect(&settings)
        .await
        .map_err(|e| e.to_string())
}

/// The session's TLS version, empty on a plain connection.
async fn tls_version(db: &DatabaseConnection) -> String {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SHOW SESSION STATUS LIKE 'Ssl_version'".to_owned(),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "Value").unwrap()
}

#[tokio::test]
async fn each_database_tls_mode_does_what_it_says() {
    if !std::env::var("MONETA_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        eprintln!(
            "each_database_tls_mode_does_what_it_says: not run: MONETA_TEST_DATABASE_URL is \
             unset, and no test starts a MariaDB without it"
        );
        return;
    }
    let mut server = TlsMariaDb::start();
    server.wait_until_it_answers().await;
    let ca = server.certificates.ca.clone();
    let elsewhere = tempfile::tempdir().unwrap();
    let other_ca = Certificates::generate(elsewhere.path()).ca;

    use DatabaseTlsMode::*;
    for (mode, ca_file, encrypted) in [
        (None, None, true),
        (Some(Disabled), None, false),
        (Some(Preferred), None, true),
        (Some(Required), None, true),
        (Some(VerifyCa), Some(&ca), true),
        (Some(VerifyIdentity), Some(&ca), true),
    ] {
        let db = connect(&server, mode, ca_file.map(PathBuf::as_path))
            .await
            .unwrap_or_else(|e| panic!("{mode:?}: {e}"));
        let version = tls_version(&db).await;
        assert_eq!(
            !version.is_empty(),
            encrypted,
            "{mode:?}: Ssl_version={version:?}"
        );
        db.close().await.unwrap();
    }

    // The URL's own ssl-mode applies when the setting is unset.
    let plain = format!("{}?ssl-mode=disabled", server.url());
    let db = connect_to(&plain, None, None).await.unwrap();
    assert_eq!(tls_version(&db).await, "", "the URL's ssl-mode=disabled");
    db.close().await.unwrap();

    // A certificate that does not chain to the trusted CAs is refused.
    for (mode, ca_file) in [
        (VerifyCa, None),
        (VerifyCa, Some(&other_ca)),
        (VerifyIdentity, Some(&other_ca)),
    ] {
        let refused = connect(&server, Some(mode), ca_file.map(PathBuf::as_path)).await;
        let message = refused
            .err()
            .unwrap_or_else(|| panic!("{mode:?} {ca_file:?} connected"));
        assert!(
            message.to_ascii_lowercase().contains("certificate"),
            "{mode:?}: {message}"
        );
    }
}
