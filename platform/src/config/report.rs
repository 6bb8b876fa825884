//! The effective settings of a process, as `config check` prints them:
//! every setting's variable, value and where the value came from, with
//! secrets redacted.

use std::fmt;

use clap::CommandFactory as _;
use clap::parser::ValueSource;

use super::{Cli, Loaded};

/// One setting's effective value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effective {
    pub variable: String,
    pub flag: String,
    /// The value, `<redacted>` for a secret, empty when unset.
    pub value: String,
    /// `flag`, `env`, `default` or `unset`.
    pub source: &'static str,
}

impl fmt::Display for Effective {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}={} ({}, --{})",
            self.variable, self.value, self.source, self.flag
        )
    }
}

impl Loaded {
    /// Every setting, in declaration order.
    pub fn effective(&self) -> Vec<Effective> {
        Cli::command()
            .get_arguments()
            .filter_map(|arg| {
                let variable = arg.get_env()?.to_string_lossy().into_owned();
                let id = arg.get_id().as_str();
                let source = match self.matches.value_source(id) {
                    Some(ValueSource::CommandLine) => "flag",
                    Some(ValueSource::EnvVariable) => "env",
                    Some(ValueSource::DefaultValue) => "default",
                    _ => "unset",
                };
                let raw: Vec<String> = self
                    .matches
                    .get_raw(id)
                    .into_iter()
                    .flatten()
                    .map(|v| v.to_string_lossy().into_owned())
                    .collect();
                // Settings whose values clap hides (secrets, URLs that carry
                // passwords) are never printed.
                let value = if raw.is_empty() {
                    String::new()
                } else if arg.is_hide_env_values_set() {
                    "<redacted>".to_owned()
                } else {
                    raw.join(",")
                };
                Some(Effective {
                    variable,
                    flag: arg.get_long().unwrap_or_default().to_owned(),
                    value,
                    source,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_told_and_secrets_redacted() {
        let loaded = Cli::load_from([
            "moneta",
            "--jwt-secret",
            "super-secret-value-1234567890abcdef",
            "config",
            "check",
            "--cache-ttl-secs",
            "60",
        ])
        .unwrap();
        let effective = loaded.effective();
        let get = |v: &str| effective.iter().find(|e| e.variable == v).unwrap().clone();
        assert_eq!(get("MONETA_CACHE_TTL_SECS").value, "60");
        assert_eq!(get("MONETA_CACHE_TTL_SECS").source, "flag");
        assert_eq!(get("MONETA_LISTEN").source, "default");
        assert_eq!(get("MONETA_JWT_SECRET").value, "<redacted>");
        assert_eq!(get("MONETA_REDIS_URL").source, "unset");
        let printed: String = effective.iter().map(|e| format!("{e}\n")).collect();
        assert!(!printed.contains("super-secret"), "{printed}");
    }
}
