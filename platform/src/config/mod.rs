//! Settings: each has a default, a command-line flag and an env var,
//! declared once on [`Settings`]. This is the only module that reads the
//! environment.
//!
//! - [`settings`]: every setting, with its default, flag and variable.
//! - [`cli`]: subcommands, and loading (unknown `MONETA_*` names refused,
//!   the list read from the clap definition).
//! - [`validate`]: what is refused before anything connects.
//! - [`edge`]: trusted proxies, enabled institutions, accounts per user.
//! - [`retention`]: the horizons of the retention jobs.
//! - [`report`]: the effective settings `moneta config check` prints.
//! - [`tls`]: TLS to Redis and MySQL (trusted CAs, MySQL's TLS mode).

mod cli;
mod edge;
mod error;
mod report;
mod retention;
mod settings;
mod tls;
mod validate;

pub use cli::{
    Cli, Command, ConfigCommand, DeadLetterCommand, ImportArgs, JobsCommand, Loaded, SeedArgs,
    setting_variables, unknown_variables,
};
pub use edge::{EdgeSettings, TrustedDocuments};
pub use error::ConfigError;
pub use report::Effective;
pub use retention::RetentionSettings;
pub use settings::{DatabaseKind, Environment, LogFormat, Role, Settings};
pub use tls::{DatabaseTlsMode, TlsSettings};
