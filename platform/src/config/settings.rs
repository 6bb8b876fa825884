//! Every setting of a Moneta process: a default, a flag and an env var
//! each, declared once here (clap derives the rest).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use secrecy::{ExposeSecret, SecretString};

use super::{Cli, ConfigError, RetentionSettings};

/// Which parts of Moneta a process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Role {
    /// API and workers in one process (the embedded default).
    All,
    /// The GraphQL API only.
    Api,
    /// Background workers only (with health and metrics endpoints).
    Worker,
}

impl Role {
    pub fn runs_api(self) -> bool {
        matches!(self, Self::All | Self::Api)
    }

    pub fn runs_workers(self) -> bool {
        matches!(self, Self::All | Self::Worker)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// JSON with `--env production`, else pretty.
    Auto,
    Pretty,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Environment {
    /// GraphiQL, introspection and field suggestions on.
    Dev,
    /// GraphiQL, introspection and field suggestions off.
    Production,
}

/// Every setting of a Moneta process.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Which parts of Moneta `serve` runs.
    #[arg(long, env = "MONETA_ROLE", value_enum, default_value_t = Role::All, global = true)]
    pub role: Role,

    /// Address the HTTP server binds (port 0 picks a free port).
    #[arg(
        long,
        env = "MONETA_LISTEN",
        default_value = "127.0.0.1:8000",
        global = true
    )]
    pub listen: SocketAddr,

    /// `mysql://…` (MySQL, MariaDB or vtgate) or `sqlite://…`; default: SQLite under the data dir.
    #[arg(long, env = "MONETA_DATABASE_URL", value_parser = secret, hide_env_values = true, global = true)]
    pub database_url: Option<SecretString>,

    /// Upper bound of the database connection pool.
    #[arg(
        long,
        env = "MONETA_DATABASE_MAX_CONNECTIONS",
        default_value_t = 20,
        global = true
    )]
    pub database_max_connections: u32,

    /// Through vtgate: the unsharded keyspace of the global tables
    /// (`moneta_global` in `vitess/`). `moneta migrate` then also creates
    /// there the source of each reference table (`sellers`), which vtgate
    /// alone would create only in the connection's keyspace. Unset: not on
    /// Vitess.
    #[arg(long, env = "MONETA_VITESS_GLOBAL_KEYSPACE", global = true)]
    pub vitess_global_keyspace: Option<String>,

    /// `redis://…`; default: in-process cache, queue and event bus.
    #[arg(long, env = "MONETA_REDIS_URL", value_parser = secret, hide_env_values = true, global = true)]
    pub redis_url: Option<SecretString>,

    /// Prefix of every Redis key, stream and channel, so deployments (and
    /// parallel tests) sharing one Redis never see each other.
    #[arg(
        long,
        env = "MONETA_REDIS_PREFIX",
        default_value = "moneta",
        global = true
    )]
    pub redis_prefix: String,

    /// Where the embedded default keeps its SQLite database and generated secrets.
    #[arg(long, env = "MONETA_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,

    /// Where raw institution pages are kept: `s3://bucket/prefix` (with the
    /// usual `AWS_*` variables), `file:///path`; default `<data dir>/raw`.
    #[arg(long, env = "MONETA_OBJECT_STORE_URL", global = true)]
    pub object_store_url: Option<String>,

    /// Sync jobs one worker process runs at once.
    #[arg(
        long,
        env = "MONETA_WORKER_CONCURRENCY",
        default_value_t = 2,
        global = true
    )]
    pub worker_concurrency: usize,

    /// The scheduled jobs a worker runs on their schedule: `all`, `none`,
    /// or comma-separated job names. A job left out still runs with
    /// `moneta jobs run <name>` (e.g. from an outside scheduler).
    #[arg(
        long,
        env = "MONETA_SCHEDULED_JOBS",
        value_delimiter = ',',
        default_value = "all",
        global = true
    )]
    pub scheduled_jobs: Vec<String>,

    /// Seconds a taken, unacknowledged job waits before another worker
    /// reclaims it (its worker is presumed dead). A worker keeps the jobs
    /// it runs alive every third of this, so a long sync is never taken
    /// from a healthy worker.
    #[arg(
        long,
        env = "MONETA_QUEUE_RECLAIM_SECS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(1..=86_400),
        global = true
    )]
    pub queue_reclaim_secs: u64,

    /// Deliveries a sync job gets: after its last one fails it goes to the
    /// dead letters (`moneta jobs dead-letter list|retry`).
    #[arg(
        long,
        env = "MONETA_QUEUE_MAX_DELIVERIES",
        default_value_t = 5,
        value_parser = clap::value_parser!(u64).range(1..=100),
        global = true
    )]
    pub queue_max_deliveries: u64,

    /// How long a cached budget, spending or first transaction page lives
    /// (±10 % jitter). Writes invalidate at once; this bounds memory and
    /// the staleness after an invalidation lost to a cache outage.
    #[arg(
        long,
        env = "MONETA_CACHE_TTL_SECS",
        default_value_t = 300,
        value_parser = clap::value_parser!(u64).range(1..=86_400),
        global = true
    )]
    pub cache_ttl_secs: u64,

    /// `off`: every budget, spending, first-page and whole-response read
    /// goes to the database (invalidations still run). For measuring the
    /// uncached path, and for an incident in which the cache is suspect.
    #[arg(
        long,
        env = "MONETA_READ_CACHE",
        default_value = "on",
        value_parser = on_off,
        global = true
    )]
    pub read_cache: bool,

    /// How long a cache operation may take before the read goes to the
    /// database instead.
    #[arg(
        long,
        env = "MONETA_CACHE_TIMEOUT_MS",
        default_value_t = 100,
        value_parser = clap::value_parser!(u64).range(1..=10_000),
        global = true
    )]
    pub cache_timeout_ms: u64,

    /// Key that signs access tokens (≥ 32 bytes). Generated into the data
    /// dir when missing, except for `--role api|worker` on MySQL.
    #[arg(long, env = "MONETA_JWT_SECRET", value_parser = secret, hide_env_values = true, global = true)]
    pub jwt_secret: Option<SecretString>,

    /// Key that encrypts linked bank credentials (≥ 32 bytes). Generated
    /// like the JWT secret when missing.
    #[arg(long, env = "MONETA_CREDENTIALS_KEY", value_parser = secret, hide_env_values = true, global = true)]
    pub credentials_key: Option<SecretString>,

    /// Log line format.
    #[arg(long, env = "MONETA_LOG_FORMAT", value_enum, default_value_t = LogFormat::Auto, global = true)]
    pub log_format: LogFormat,

    /// Log filter in `tracing` EnvFilter syntax.
    #[arg(long, env = "MONETA_LOG", default_value = "info", global = true)]
    pub log_filter: String,

    /// `production` turns off GraphiQL, introspection and field suggestions.
    #[arg(long, env = "MONETA_ENV", value_enum, default_value_t = Environment::Dev, global = true)]
    pub env: Environment,

    /// OTLP/HTTP collector base URL (`/v1/traces` is appended); spans are
    /// exported there when set. The standard OpenTelemetry variable.
    #[arg(long, env = "OTEL_EXPORTER_OTLP_ENDPOINT", global = true)]
    pub otlp_endpoint: Option<String>,

    /// `service.name` of exported spans. The standard OpenTelemetry variable.
    #[arg(
        long,
        env = "OTEL_SERVICE_NAME",
        default_value = "moneta",
        global = true
    )]
    pub otel_service_name: String,

    /// Password hashes computed at once (each takes 19 MiB); 0 = one per core.
    #[arg(
        long,
        env = "MONETA_PASSWORD_HASH_CONCURRENCY",
        default_value_t = 0,
        global = true
    )]
    pub password_hash_concurrency: usize,

    /// Seconds in-flight requests and jobs get to finish after SIGTERM.
    #[arg(
        long,
        env = "MONETA_SHUTDOWN_GRACE_SECS",
        default_value_t = 20,
        global = true
    )]
    pub shutdown_grace_secs: u64,

    /// Seconds a change's follow-up record (recompute the month's
    /// spending, invalidate, evaluate alerts) may stay unsettled before the
    /// sweeper settles it: its request or sync died or gave up.
    #[arg(
        long,
        env = "MONETA_SPENDING_SWEEP_AFTER_SECS",
        default_value_t = 30,
        global = true
    )]
    pub spending_sweep_after_secs: u64,

    /// Seconds of an account's sync lease. Renewed every third of this
    /// while its sync runs; a sync whose worker died is resumed by another
    /// within this long.
    #[arg(
        long,
        env = "MONETA_SYNC_LEASE_SECS",
        default_value_t = 15,
        value_parser = clap::value_parser!(u64).range(1..),
        global = true
    )]
    pub sync_lease_secs: u64,

    #[command(flatten)]
    pub tls: super::TlsSettings,

    #[command(flatten)]
    pub retention: RetentionSettings,

    #[command(flatten)]
    pub edge: super::EdgeSettings,
}

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    Sqlite,
    MySql,
}

impl DatabaseKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::MySql => "mysql",
        }
    }
}

impl Settings {
    /// The defaults, as if no flag or variable were given (tests start here).
    pub fn defaults() -> Self {
        <Cli as clap::Parser>::parse_from(["moneta"]).settings
    }

    pub fn database_kind(&self) -> Result<DatabaseKind, ConfigError> {
        match &self.database_url {
            None => Ok(DatabaseKind::Sqlite),
            Some(url) if url.expose_secret().starts_with("sqlite:") => Ok(DatabaseKind::Sqlite),
            Some(url) if url.expose_secret().starts_with("mysql://") => Ok(DatabaseKind::MySql),
            Some(_) => Err(ConfigError::UnsupportedDatabase),
        }
    }

    /// The database URL to connect to: the configured one, else a SQLite
    /// file under the data dir.
    pub fn effective_database_url(&self) -> SecretString {
        match &self.database_url {
            Some(url) => url.clone(),
            None => SecretString::from(format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("moneta.db").display()
            )),
        }
    }

    /// Options for the object store: the standard `AWS_*` variables (read
    /// here, like every other setting).
    pub fn object_store_options(&self) -> Vec<(String, String)> {
        std::env::vars()
            .filter(|(k, _)| k.starts_with("AWS_"))
            .collect()
    }

    pub fn password_hash_concurrency(&self) -> usize {
        match self.password_hash_concurrency {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        }
    }
}

pub(super) fn secret(raw: &str) -> Result<SecretString, std::convert::Infallible> {
    Ok(SecretString::from(raw.to_owned()))
}

/// `on` or `off`.
fn on_off(raw: &str) -> Result<bool, String> {
    match raw.trim() {
        "on" => Ok(true),
        "off" => Ok(false),
        other => Err(format!("{other:?} is neither `on` nor `off`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Command;
    use clap::Parser as _;

    #[test]
    fn defaults_are_the_embedded_default() {
        let s = Settings::defaults();
        assert_eq!(s.listen, "127.0.0.1:8000".parse().unwrap());
        assert_eq!(s.database_kind().unwrap(), DatabaseKind::Sqlite);
        assert!(s.redis_url.is_none());
        assert_eq!(s.env, Environment::Dev);
        assert!(
            s.effective_database_url()
                .expose_secret()
                .ends_with("moneta.db?mode=rwc")
        );
    }

    #[test]
    fn flags_parse_and_serve_is_the_default_command() {
        let cli = Cli::parse_from([
            "moneta",
            "--listen",
            "0.0.0.0:9000",
            "serve",
            "--role",
            "api",
            "--database-url",
            "mysql://root@db/moneta",
        ]);
        assert_eq!(cli.settings.listen.port(), 9000);
        assert_eq!(cli.settings.database_kind().unwrap(), DatabaseKind::MySql);
        assert!(matches!(cli.command, Some(Command::Serve)));
        assert_eq!(cli.settings.role, Role::Api);
        assert!(Cli::parse_from(["moneta"]).command.is_none());
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let cli = Cli::parse_from([
            "moneta",
            "--jwt-secret",
            "super-secret-value-1234567890abcdef",
        ]);
        assert!(!format!("{cli:?}").contains("super-secret-value"));
    }

    #[test]
    fn other_database_schemes_are_refused() {
        let cli = Cli::parse_from(["moneta", "--database-url", "postgres://x"]);
        assert!(cli.settings.database_kind().is_err());
    }
}
