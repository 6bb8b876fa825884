//! Crash points: named places, at the step boundaries of work that must
//! survive a crash, where a test can kill the process on the spot.
//!
//! Compiled in only with the `failpoints` feature (the integration tests'
//! build of the binary; never a release): there the `FAILPOINTS`
//! environment variable arms them, e.g.
//! `FAILPOINTS=sync.page.committed=return` aborts the process the first
//! time a sync page commits (`2*off->return`: the third time). Without
//! the feature a crash point compiles to nothing.

/// Aborts the process here when the crash point `$name` is armed: no
/// destructor runs, no buffer is flushed, no lease is released — as under
/// SIGKILL or a power cut.
#[macro_export]
macro_rules! crash_point {
    ($name:literal) => {
        $crate::crash::fail::fail_point!($name, |_| {
            ::tracing::error!(crash_point = $name, "crash point reached; aborting");
            ::std::process::abort()
        })
    };
}

#[doc(hidden)]
pub use fail;

/// The crash points armed for this process (from `FAILPOINTS`), held
/// for its lifetime. A no-op without the `failpoints` feature.
pub struct CrashPoints {
    #[cfg(feature = "failpoints")]
    _armed: fail::FailScenario<'static>,
}

impl std::fmt::Debug for CrashPoints {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CrashPoints")
    }
}

impl CrashPoints {
    /// Arms the crash points `FAILPOINTS` names.
    ///
    /// # Panics
    /// If `FAILPOINTS` is malformed (a test's mistake, never a user's: a
    /// release build has no crash points).
    pub fn from_env() -> Self {
        Self {
            #[cfg(feature = "failpoints")]
            _armed: fail::FailScenario::setup(),
        }
    }
}
