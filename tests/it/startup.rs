//! The shipped binary starts, as the README and the chart start it.

use std::time::Duration;

use crate::harness::process::{self, Process};

/// The README's first command, on fresh data directories: each start
/// migrates a new SQLite database, and every one must come up (before the
/// migrations ran on a connection of their own, some died with "there is
/// already another table or index with this name: user_emails").
#[tokio::test]
async fn the_embedded_default_starts_on_fifty_fresh_data_directories_in_a_row() {
    let http = reqwest::Client::new();
    for run in 0..50 {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let mut server = process::embedded_server(data_dir.path());
        let addr = server.serving_addr(Duration::from_secs(120));
        let ready = http
            .get(format!("http://{addr}/readyz"))
            .send()
            .await
            .map(|r| r.status().as_u16());
        assert_eq!(
            ready.ok(),
            Some(200),
            "start {run}: /readyz; the server said:\n{}",
            server.output()
        );
    }
}

/// `config check` accepts every setting the binary declares, names the
/// first bad one, and never prints a secret.
#[test]
fn config_check_validates_the_environment_and_redacts_secrets() {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut good = process::moneta();
    good.args(["config", "check"])
        .env("MONETA_DATA_DIR", data_dir.path())
        .env("MONETA_CACHE_TTL_SECS", "60")
        .env("MONETA_CACHE_TIMEOUT_MS", "50")
        .env("MONETA_ROLE", "api")
        .env(
            "MONETA_DATABASE_URL",
            "mysql://moneta:db-password-42@127.0.0.1:1/moneta",
        )
        .env("MONETA_JWT_SECRET", "jwt-secret-value-0123456789abcdef-xyz")
        .env(
            "MONETA_CREDENTIALS_KEY",
            "credentials-key-0123456789abcdef-xyz",
        );
    let mut good = Process::spawn(good);
    assert!(good.wait_exit(Duration::from_secs(60)), "{}", good.output());
    let said = good.output();
    assert!(said.contains("MONETA_CACHE_TTL_SECS=60 (env"), "{said}");
    assert!(
        said.contains("MONETA_LISTEN=127.0.0.1:8000 (default"),
        "{said}"
    );
    assert!(said.contains("MONETA_JWT_SECRET=<redacted> (env"), "{said}");
    for secret in ["db-password-42", "jwt-secret-value", "credentials-key-0123"] {
        assert!(!said.contains(secret), "{secret} printed:\n{said}");
    }
    // Nothing was connected to or written.
    assert_eq!(
        std::fs::read_dir(data_dir.path()).map(|d| d.count()).ok(),
        Some(0)
    );

    for (variable, value, named) in [
        ("MONETA_CACHE_TTL", "60", "MONETA_CACHE_TTL"),
        ("MONETA_CACHE_TTL_SECS", "0", "cache-ttl-secs"),
        ("MONETA_DATABASE_URL", "postgres://x", "MONETA_DATABASE_URL"),
        ("MONETA_LISTEN", "nowhere", "listen"),
    ] {
        let mut bad = process::moneta();
        bad.args(["config", "check"]).env(variable, value);
        let mut bad = Process::spawn(bad);
        assert!(
            !bad.wait_exit(Duration::from_secs(60)),
            "{variable}={value} accepted"
        );
        let said = bad.output();
        assert!(said.contains(named), "{variable}={value}: {said}");
    }
}
