//! What can be wrong with a process's settings.

/// A setting that cannot be used; the message names the variable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("unknown environment variable(s) {}: not Moneta settings", .0.join(", "))]
    UnknownVariables(Vec<String>),
    #[error("{0}")]
    Invalid(String),
    #[error("MONETA_DATABASE_URL must start with mysql:// or sqlite://")]
    UnsupportedDatabase,
    #[error("{0} is required with --role api|worker on MySQL")]
    SecretMissing(&'static str),
    #[error("{0} must be at least {min} bytes", min = crate::secrets::MIN_LEN)]
    SecretTooShort(&'static str),
    #[error("{variable}: {reason}")]
    InvalidValue {
        variable: &'static str,
        reason: String,
    },
}

impl ConfigError {
    /// `variable` holds a value that cannot be used, for `reason`.
    pub(super) fn invalid(variable: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidValue {
            variable,
            reason: reason.into(),
        }
    }
}
