//! The test binary's one `tracing` subscriber: `RUST_LOG` (default `warn`)
//! to the test output, plus a capture a test can switch on to read every
//! log line — of every server in the process — at debug level.
//!
//! One global subscriber, not a thread-local one per test: spans cross
//! threads (sqlx's SQLite workers enter the caller's span), and a span
//! must be closed by the subscriber that opened it.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once, OnceLock};

use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer as _, Registry, reload};

/// Debug level for everything but h2's frames.
const CAPTURE_FILTER: &str = "debug,sqlx=debug,hyper=debug,h2=info";

static CAPTURING: AtomicUsize = AtomicUsize::new(0);
static CAPTURED: Mutex<Vec<u8>> = Mutex::new(Vec::new());
/// Switches the capture's filter between `off` and [`CAPTURE_FILTER`];
/// a reload rebuilds tracing's per-callsite interest, so callsites seen
/// before the capture started are captured too.
static SWITCH: OnceLock<reload::Handle<EnvFilter, Registry>> = OnceLock::new();

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
        let (filter, switch) = reload::Layer::new(EnvFilter::new("off"));
        let capture = tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(|| CaptureWriter)
            .with_filter(filter);
        let _ = SWITCH.set(switch);
        let _ = tracing_subscriber::registry()
            .with(capture)
            .with(output)
            .try_init();
    });
}

fn switch(on: bool) {
    if let Some(switch) = SWITCH.get() {
        let _ = switch.reload(EnvFilter::new(if on { CAPTURE_FILTER } else { "off" }));
    }
}

/// Captures log lines while it lives.
pub struct Capture(());

impl Capture {
    pub fn start() -> Self {
        init();
        if CAPTURING.fetch_add(1, Ordering::SeqCst) == 0 {
            switch(true);
        }
        Self(())
    }

    /// Everything captured so far (while any capture was on).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&CAPTURED.lock().unwrap()).into_owned()
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        if CAPTURING.fetch_sub(1, Ordering::SeqCst) == 1 {
            switch(false);
        }
    }
}
