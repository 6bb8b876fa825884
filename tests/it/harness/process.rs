//! The real `moneta` binary as a child process, its stdout and stderr
//! collected line by line, so a test waits on what it logs and a failing
//! test shows everything the child said.

use std::io::{BufRead as _, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// `moneta` with an empty environment but `PATH`, logging JSON.
pub fn moneta() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_moneta"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("MONETA_LOG_FORMAT", "json");
    command
}

/// `moneta serve` on its embedded default in `data_dir`, on a free port.
pub fn embedded_server(data_dir: &std::path::Path) -> Process {
    let mut command = moneta();
    command
        .arg("serve")
        .env("MONETA_LISTEN", "127.0.0.1:0")
        .env("MONETA_DATA_DIR", data_dir)
        .env("MONETA_PASSWORD_HASH_CONCURRENCY", "1");
    Process::spawn(command)
}

/// A running child. Killed when dropped; if the test is failing then, its
/// whole output goes to the test's stderr.
pub struct Process {
    child: Child,
    lines: Receiver<String>,
    output: Arc<Mutex<Vec<String>>>,
}

impl Process {
    pub fn spawn(mut command: Command) -> Self {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the moneta binary starts");
        let output = Arc::new(Mutex::new(Vec::new()));
        let (tx, lines) = mpsc::channel();
        if let Some(stdout) = child.stdout.take() {
            collect(stdout, "", tx.clone(), output.clone());
        }
        if let Some(stderr) = child.stderr.take() {
            collect(stderr, "stderr: ", tx, output.clone());
        }
        Self {
            child,
            lines,
            output,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL, at once: no handler runs, nothing is flushed or released.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Everything the child printed so far.
    pub fn output(&self) -> String {
        self.output
            .lock()
            .map(|lines| lines.join("\n"))
            .unwrap_or_default()
    }

    /// Waits for the first line `found` maps to `Some`; panics with the
    /// child's output if it exits or `within` passes first.
    pub fn wait_for<T>(
        &mut self,
        what: &str,
        within: Duration,
        mut found: impl FnMut(&str) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(value) = found(&line) {
                        return value;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!(
                        "{what}: not within {within:?}; the child said:\n{}",
                        self.output()
                    )
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let status = self.child.wait().map(|s| s.to_string()).unwrap_or_default();
                    panic!(
                        "{what}: the child exited ({status}) first; it said:\n{}",
                        self.output()
                    )
                }
            }
        }
    }

    /// Waits for the JSON "serving" line; returns the address served.
    pub fn serving_addr(&mut self, within: Duration) -> String {
        self.wait_for("the server logs that it serves", within, |line| {
            let event: serde_json::Value = serde_json::from_str(line).ok()?;
            (event["message"] == "serving").then(|| event["addr"].as_str().map(str::to_owned))?
        })
    }

    /// Waits for the child to exit on its own; returns whether it succeeded.
    pub fn wait_exit(&mut self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    // Its last lines may still be in the pipes.
                    while self.lines.recv_timeout(Duration::from_secs(5)).is_ok() {}
                    return status.success();
                }
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20))
                }
                _ => panic!(
                    "the child did not exit within {within:?}; it said:\n{}",
                    self.output()
                ),
            }
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!(
                "--- output of the failed test's moneta process ---\n{}",
                self.output()
            );
        }
    }
}

fn collect(
    stream: impl Read + Send + 'static,
    tag: &'static str,
    tx: Sender<String>,
    output: Arc<Mutex<Vec<String>>>,
) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if let Ok(mut all) = output.lock() {
                all.push(format!("{tag}{line}"));
            }
            if tx.send(line).is_err() {
                // Nobody waits any more; keep draining so the child never
                // blocks on a full pipe.
                continue;
            }
        }
    });
}
