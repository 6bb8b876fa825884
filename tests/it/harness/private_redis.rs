//! A `redis-server` of the test's own, on a free port, that the test can
//! stop and start again (same port, empty: `--save ''`, no AOF) to play
//! an outage without touching the shared Redis.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a start or a stop may take.
const WITHIN: Duration = Duration::from_secs(10);

pub struct PrivateRedis {
    port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl PrivateRedis {
    /// Starts one, for `test`; `None` (the test did not run, said on
    /// stderr) when `redis-server` is not installed, except under CI
    /// (`CI` set), where that fails the test.
    pub fn start(test: &str) -> Option<Self> {
        let installed = Command::new("redis-server")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !installed {
            assert!(
                std::env::var_os("CI").is_none(),
                "{test} needs redis-server, which CI must have"
            );
            eprintln!("redis-server not installed: {test} did not run");
            return None;
        }
        let port = free_port();
        let mut redis = Self {
            port,
            dir: tempfile::tempdir().expect("temp dir"),
            child: None,
        };
        redis.resume();
        Some(redis)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts the server again on its port (empty) and waits until it
    /// answers.
    pub fn resume(&mut self) {
        assert!(self.child.is_none(), "redis-server is already running");
        let log = self.dir.path().join("redis.log");
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1"])
            .args(["--save", ""])
            .args(["--appendonly", "no"])
            .arg("--dir")
            .arg(self.dir.path())
            .arg("--logfile")
            .arg(&log)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        self.child = Some(child);
        let deadline = Instant::now() + WITHIN;
        while !self.answers() {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!("redis-server exited ({status}):\n{}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "redis-server on port {} did not answer within {WITHIN:?}:\n{}",
                self.port,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops the server (`SHUTDOWN NOSAVE`, as an operator would), waits
    /// until it is gone and its port refuses connections.
    pub fn stop(&mut self) {
        let mut child = self.child.take().expect("redis-server is running");
        if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) {
            let _ = stream.write_all(b"SHUTDOWN NOSAVE\r\n");
        }
        let deadline = Instant::now() + WITHIN;
        loop {
            match child.try_wait() {
                Ok(Some(_)) => break,
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
            }
        }
        assert!(!self.answers(), "redis-server still answers after its stop");
    }

    /// `PING` answered with `+PONG`.
    fn answers(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
        if stream.write_all(b"PING\r\n").is_err() {
            return false;
        }
        let mut reply = [0u8; 7];
        stream.read_exact(&mut reply).is_ok() && reply == *b"+PONG\r\n"
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("redis.log")).unwrap_or_default()
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if std::thread::panicking() {
            eprintln!(
                "--- log of the failed test's redis-server ---\n{}",
                self.log()
            );
        }
    }
}

/// A port nothing listens on now (the OS's pick).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
