//! The test binary's one `tracing` subscriber: `RUST_LOG` (default `warn`)
//! to the test output, plus a capture a test can switch on to read every
//! log line — of every server in the process — at debug level.
//!
//! One global subscriber, not a thread-local one per test: spans cross
//! threads (sqlx's SQLite workers enter the caller's span), and a span
//! must be closed by the subscriber that opened it.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once};

use tracing_subscriber::filter::{FilterExt as _, filter_fn};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer as _};

static CAPTURING: AtomicUsize = AtomicUsize::new(0);
static CAPTURED: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct CaptureWriter;

impl Write for CaptureWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        CAPTURED.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub fn init() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let output = tracing_subscriber::fmt::layer()
            .with_test_writer()
            .with_filter(
                EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
            );
        let capture = tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(|| CaptureWriter)
            .with_filter(
                EnvFilter::new("debug,sqlx=debug,hyper=debug,h2=info")
                    .and(filter_fn(|_| CAPTURING.load(Ordering::SeqCst) > 0)),
            );
        let _ = tracing_subscriber::registry()
            .with(output)
            .with(capture)
            .try_init();
    });
}

/// Captures log lines while it lives.
pub struct Capture(());

impl Capture {
    pub fn start() -> Self {
        init();
        CAPTURING.fetch_add(1, Ordering::SeqCst);
        Self(())
    }

    /// Everything captured so far (while any capture was on).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&CAPTURED.lock().unwrap()).into_owned()
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        CAPTURING.fetch_sub(1, Ordering::SeqCst);
    }
}
