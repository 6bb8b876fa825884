//! A `mariadbd` of the test's own: its own data directory (made with
//! `mariadb-install-db`; root without a password), port, socket and
//! temporary directory, that the test can crash and start again on the
//! same data. The shared server is never touched.
//!
//! Only for tests that run with `MONETA_TEST_DATABASE_URL` set (see
//! [`super::db::required_mysql`]): there MariaDB's server is expected to be
//! installed, and a missing one fails the test.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use sea_orm::{ConnectionTrait as _, Database};

use super::private_redis::free_port;

pub struct PrivateMariaDb {
    port: u16,
    /// What `mariadbd` is given besides the data directory, port & co.
    args: Vec<String>,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

/// `name` among the usual system directories.
fn program(name: &str) -> PathBuf {
    ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"]
        .iter()
        .map(|dir| Path::new(dir).join(name))
        .find(|p| p.exists())
        .unwrap_or_else(|| {
            panic!(
                "MONETA_TEST_DATABASE_URL is set, so tests of a private MariaDB run, but \
                 {name} is not installed (Debian: mariadb-server)"
            )
        })
}

impl PrivateMariaDb {
    /// Makes a data directory and starts the server on it. Call
    /// [`Self::wait_until_it_answers`] next.
    pub fn start() -> Self {
        Self::start_with(Vec::new())
    }

    /// As [`Self::start`], with more options for `mariadbd` (TLS, …).
    pub fn start_with(args: Vec<String>) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        // A temporary directory of its own: two bootstraps sharing /tmp
        // at once sometimes fail ("Unknown table 'mysql.tmp_user_sys'").
        std::fs::create_dir(dir.path().join("tmp")).expect("tmp dir");
        let installed = Command::new(program("mariadb-install-db"))
            .arg("--no-defaults")
            .arg(format!("--datadir={}", dir.path().join("data").display()))
            .arg(format!("--tmpdir={}", dir.path().join("tmp").display()))
            .args([
                "--user=root",
                "--skip-test-db",
                "--auth-root-authentication-method=normal",
            ])
            .stdin(Stdio::null())
            .output()
            .expect("mariadb-install-db runs");
        assert!(
            installed.status.success(),
            "mariadb-install-db failed:\n{}{}",
            String::from_utf8_lossy(&installed.stdout),
            String::from_utf8_lossy(&installed.stderr)
        );
        let mut server = Self {
            port: free_port(),
            args,
            dir,
            child: None,
        };
        server.resume();
        server
    }

    /// `mysql://root@127.0.0.1:<port>`, without a database.
    pub fn server_url(&self) -> String {
        format!("mysql://root@127.0.0.1:{}", self.port)
    }

    /// Starts the server again on its data directory and port.
    pub fn resume(&mut self) {
        assert!(self.child.is_none(), "mariadbd is already running");
        let path = |name: &str| self.dir.path().join(name).display().to_string();
        let child = Command::new(program("mariadbd"))
            .arg("--no-defaults")
            .arg(format!("--datadir={}", path("data")))
            .arg(format!("--tmpdir={}", path("tmp")))
            .arg(format!("--socket={}", path("mariadb.sock")))
            .arg(format!("--pid-file={}", path("mariadb.pid")))
            .arg(format!("--log-error={}", path("mariadb.err")))
            .arg(format!("--port={}", self.port))
            .args(["--bind-address=127.0.0.1", "--user=root"])
            .args(["--skip-log-bin", "--innodb-buffer-pool-size=32M"])
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("mariadbd starts");
        self.child = Some(child);
    }

    /// Kills the server (SIGKILL: a crash, nothing flushed on its way out)
    /// and waits until it is gone.
    pub fn crash(&mut self) {
        let mut child = self.child.take().expect("mariadbd is running");
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Polls until a connection gets an answer.
    pub async fn wait_until_it_answers(&mut self) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!("mariadbd exited ({status}):\n{}", self.log());
            }
            let answer = match Database::connect(self.server_url()).await {
                Ok(db) => {
                    let answer = db.execute_unprepared("SELECT 1").await.map(|_| ());
                    let _ = db.close().await;
                    answer
                }
                Err(error) => Err(error),
            };
            let Err(last) = answer else { return };
            assert!(
                tokio::time::Instant::now() < deadline,
                "mariadbd never answered ({last}):\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The server's error log.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("mariadb.err"))
            .unwrap_or_else(|e| format!("(no log: {e})"))
    }
}

impl Drop for PrivateMariaDb {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if std::thread::panicking() {
            eprintln!("--- log of the failed test's mariadbd ---\n{}", self.log());
        }
    }
}
