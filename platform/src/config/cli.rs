//! The command line: subcommands, and loading the settings from flags and
//! `MONETA_*` variables. The names a process accepts are read from the
//! clap definition itself, so no second list can drift from the flags.

use std::ffi::OsString;

use clap::{ArgMatches, CommandFactory as _, FromArgMatches as _, Parser, Subcommand};

use super::{ConfigError, Settings};

/// `moneta` — personal finance, one binary with roles.
#[derive(Debug, Parser)]
#[command(name = "moneta", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Serve the API and/or run the workers (see `--role`).
    Serve,
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Background jobs.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// Synthetic users at scale for load tests: `user<n>@seed.moneta.test`
    /// for n = 1..=users, all with one password, each with sandbox accounts
    /// whose months of history the real pipeline syncs. Resumable: run it
    /// again after Ctrl-C or a crash, nothing is made twice.
    Seed(SeedArgs),
    /// Import a bank statement file (OFX, QFX, QIF, CSV, CAMT.053) for a
    /// user, through the same pipeline as `importTransactions`; prints
    /// what it added and skipped.
    Import(ImportArgs),
    /// The settings themselves.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

/// What `moneta import` imports.
#[derive(Debug, Clone, clap::Args)]
pub struct ImportArgs {
    /// The statement file.
    pub file: std::path::PathBuf,
    /// The user's email.
    #[arg(long)]
    pub user: String,
    /// A file account of the user's to import into (its id as the API
    /// gives it); default: one file account per account the file names.
    #[arg(long)]
    pub account: Option<String>,
    /// `ofx`, `qif`, `csv` or `camt053`; default: detected.
    #[arg(long)]
    pub format: Option<String>,
    /// ISO 4217 code for a file that does not say; default: the user's
    /// home currency.
    #[arg(long)]
    pub currency: Option<String>,
    /// Import the readable rows of a file that has unreadable ones.
    #[arg(long)]
    pub skip_invalid_rows: bool,
}

/// What `moneta seed` makes. The same arguments make the same users,
/// accounts and histories (as of the same day).
#[derive(Debug, Clone, clap::Args)]
pub struct SeedArgs {
    /// Users to make: user1 .. user<N>.
    #[arg(long, default_value_t = 1_000)]
    pub users: u64,
    /// Months of history each account's first sync delivers.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=24))]
    pub months: u32,
    /// Which synthetic population (other numbers, other accounts).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Users seeded at a time.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub concurrency: u64,
    /// The password of every seeded user (printed at the end, for the
    /// load scripts: these are synthetic users).
    #[arg(long, default_value = "moneta-seed-password")]
    pub password: String,
    /// Users whose rows the raw-upsert floor writes (and then deletes) to
    /// measure the rate the seed is compared with; 0 skips it.
    #[arg(long, default_value_t = 200)]
    pub floor_users: u64,
    /// No progress bar (a line at the end only).
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Subcommand)]
pub enum JobsCommand {
    /// Run a scheduled job once, now (e.g. `daily-sync`).
    Run { name: String },
    /// Sync jobs that failed every delivery they were allowed
    /// (`MONETA_QUEUE_MAX_DELIVERIES`). Needs `MONETA_REDIS_URL`: the
    /// embedded default's dead letters live in its serving process.
    DeadLetter {
        #[command(subcommand)]
        command: DeadLetterCommand,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum DeadLetterCommand {
    /// Print every dead-lettered job, one a line: id, user, account,
    /// reason, deliveries, when, last error.
    List,
    /// Queue a dead-lettered job again (a fresh job, its deliveries
    /// counted from one) and remove it from the dead letters.
    Retry {
        /// The dead letter's id, as `list` prints it.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        id: Option<String>,
        /// Every dead letter.
        #[arg(long)]
        all: bool,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum ConfigCommand {
    /// Validate the whole environment and flags without connecting to
    /// anything, and print the effective settings (secrets redacted).
    /// Exits non-zero on the first unknown variable or invalid value.
    Check,
    /// Print the environment variable of every setting, one a line (the
    /// Helm chart's copy, `helm/moneta/files/settings.txt`, is checked
    /// against this).
    Variables,
}

/// A parsed command line with the matches it came from (which say where
/// each value came from, for `config check`).
#[derive(Debug)]
pub struct Loaded {
    pub cli: Cli,
    pub matches: ArgMatches,
}

/// Every environment variable a setting reads, from the clap definition.
pub fn setting_variables() -> Vec<String> {
    Cli::command()
        .get_arguments()
        .filter_map(|arg| arg.get_env())
        .map(|env| env.to_string_lossy().into_owned())
        .collect()
}

/// The `MONETA_*` names among `names` that no setting reads
/// (`MONETA_TEST_*` belong to the test suite, not to a process).
pub fn unknown_variables(names: impl IntoIterator<Item = String>) -> Vec<String> {
    let known = setting_variables();
    let mut unknown: Vec<String> = names
        .into_iter()
        .filter(|k| k.starts_with("MONETA_") && !k.starts_with("MONETA_TEST_"))
        .filter(|k| !known.contains(k))
        .collect();
    unknown.sort();
    unknown
}

impl Cli {
    /// Parses flags and env vars and validates the result; refuses unknown
    /// `MONETA_*` variables, so a typo never silently falls back to a
    /// default.
    pub fn load() -> Result<Loaded, ConfigError> {
        Self::load_from(std::env::args_os())
    }

    /// As [`Cli::load`], with the given arguments (the environment is the
    /// process's). Help and usage errors exit the process, as clap does.
    pub fn load_from(
        args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    ) -> Result<Loaded, ConfigError> {
        let unknown =
            unknown_variables(std::env::vars_os().map(|(k, _)| k.to_string_lossy().into_owned()));
        if !unknown.is_empty() {
            return Err(ConfigError::UnknownVariables(unknown));
        }
        let matches = Self::command().get_matches_from(args);
        let cli =
            Self::from_arg_matches(&matches).map_err(|e| ConfigError::Invalid(e.to_string()))?;
        cli.settings.validate()?;
        Ok(Loaded { cli, matches })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_has_a_variable_and_every_variable_is_known() {
        let vars = setting_variables();
        let flags = Cli::command()
            .get_arguments()
            .filter(|a| {
                a.get_long().is_some()
                    && a.get_long() != Some("help")
                    && a.get_long() != Some("version")
            })
            .count();
        assert_eq!(vars.len(), flags, "a flag without an env var: {vars:?}");
        assert!(vars.iter().any(|v| v == "MONETA_CACHE_TTL_SECS"));
        assert!(unknown_variables(vars.clone()).is_empty());
        assert_eq!(
            unknown_variables([
                "MONETA_CACHE_TTL".to_owned(),
                "MONETA_TEST_REDIS_URL".to_owned(),
                "HOME".to_owned()
            ]),
            ["MONETA_CACHE_TTL"]
        );
    }
}
