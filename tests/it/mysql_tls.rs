//! TLS to MySQL: each `MONETA_DATABASE_TLS_MODE` against a MariaDB of this
//! test's own (a private `mariadbd` on a free loopback port, with a
//! certificate made at test time; the shared server is never touched).
//!
//! Runs only when `MONETA_TEST_DATABASE_URL` is set (CI sets it); then a
//! missing `mariadbd` or `mariadb-install-db` fails it.

use std::path::{Path, PathBuf};

use moneta_platform::config::{DatabaseTlsMode, Settings};
use sea_orm::{ConnectionTrait as _, DatabaseConnection, Statement};
use secrecy::SecretString;

use crate::harness::certs::Certificates;
use crate::harness::private_mariadb::PrivateMariaDb;

/// A private `mariadbd` with TLS, anyone may log in (`--skip-grant-tables`).
/// Killed when dropped; its error log is shown when the test fails.
struct TlsMariaDb {
    server: PrivateMariaDb,
    certificates: Certificates,
    _dir: tempfile::TempDir,
}

impl TlsMariaDb {
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let certificates = Certificates::generate(dir.path());
        let path = |p: &Path| p.display().to_string();
        let server = PrivateMariaDb::start_with(vec![
            "--skip-grant-tables".to_owned(),
            format!("--ssl-ca={}", path(&certificates.ca)),
            format!("--ssl-cert={}", path(&certificates.cert)),
            format!("--ssl-key={}", path(&certificates.key)),
        ]);
        Self {
            server,
            certificates,
            _dir: dir,
        }
    }

    fn url(&self) -> String {
        format!("{}/mysql", self.server.server_url())
    }
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
    server.server.wait_until_it_answers().await;
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
