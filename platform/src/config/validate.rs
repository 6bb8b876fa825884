//! Checks a whole set of settings without connecting to anything: what
//! `serve` and `config check` both refuse before they start.

use secrecy::{ExposeSecret as _, SecretString};

use super::{ConfigError, DatabaseKind, Settings};
use crate::secrets;

impl Settings {
    /// The first problem with these settings, if any.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let kind = self.database_kind()?;
        let clustered = secrets::must_be_given(self.role, kind);
        for (given, variable) in [
            (&self.jwt_secret, "MONETA_JWT_SECRET"),
            (&self.credentials_key, "MONETA_CREDENTIALS_KEY"),
        ] {
            check_secret(given.as_ref(), variable, clustered)?;
        }
        check_secret(
            self.edge.operator_token.as_ref(),
            "MONETA_OPERATOR_TOKEN",
            false,
        )?;
        if let Some(url) = &self.redis_url {
            // Parsed without the CA file, which is checked on its own below.
            crate::redis::config_from_url(url.expose_secret(), None).map_err(|e| {
                // fred's message may quote the URL, password and all.
                ConfigError::invalid(
                    "MONETA_REDIS_URL",
                    format!("not a Redis URL ({:?})", e.kind()),
                )
            })?;
        }
        self.validate_tls(kind)?;
        self.validate_vitess(kind)?;
        if let Some(url) = &self.object_store_url {
            url::Url::parse(url)
                .map_err(|e| ConfigError::invalid("MONETA_OBJECT_STORE_URL", e.to_string()))?;
        }
        if let Some(url) = &self.otlp_endpoint {
            let parsed = url::Url::parse(url)
                .map_err(|e| ConfigError::invalid("OTEL_EXPORTER_OTLP_ENDPOINT", e.to_string()))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(ConfigError::invalid(
                    "OTEL_EXPORTER_OTLP_ENDPOINT",
                    "must be http:// or https://",
                ));
            }
        }
        for id in self.edge.enabled_institutions(self.env) {
            if !moneta_core::institutions::AVAILABLE.contains(&id.as_str()) {
                return Err(ConfigError::invalid(
                    "MONETA_INSTITUTIONS",
                    format!(
                        "no institution {id:?}; available: {}",
                        moneta_core::institutions::AVAILABLE.join(", ")
                    ),
                ));
            }
        }
        tracing_subscriber::EnvFilter::try_new(&self.log_filter)
            .map_err(|e| ConfigError::invalid("MONETA_LOG", e.to_string()))?;
        Ok(())
    }
}

impl Settings {
    fn validate_vitess(&self, kind: DatabaseKind) -> Result<(), ConfigError> {
        let Some(keyspace) = &self.vitess_global_keyspace else {
            return Ok(());
        };
        if kind != DatabaseKind::MySql {
            return Err(ConfigError::invalid(
                "MONETA_VITESS_GLOBAL_KEYSPACE",
                "needs a mysql:// database URL (a vtgate)",
            ));
        }
        if !is_keyspace_name(keyspace) {
            return Err(ConfigError::invalid(
                "MONETA_VITESS_GLOBAL_KEYSPACE",
                "not a keyspace name (letters, digits, `_` and `-`)",
            ));
        }
        Ok(())
    }
}

/// A name that goes into SQL between backticks unescaped: Vitess's
/// keyspace names are letters, digits, `_` and `-`.
fn is_keyspace_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn check_secret(
    given: Option<&SecretString>,
    variable: &'static str,
    required: bool,
) -> Result<(), ConfigError> {
    match given {
        Some(s) if s.expose_secret().len() < secrets::MIN_LEN => {
            Err(ConfigError::SecretTooShort(variable))
        }
        None if required => Err(ConfigError::SecretMissing(variable)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Role;

    fn with(f: impl FnOnce(&mut Settings)) -> Result<(), ConfigError> {
        let mut s = Settings::defaults();
        f(&mut s);
        s.validate()
    }

    #[test]
    fn the_embedded_default_is_valid() {
        assert!(with(|_| {}).is_ok());
    }

    type Change = Box<dyn FnOnce(&mut Settings)>;

    #[test]
    fn each_bad_value_is_named() {
        let mysql = || Some(SecretString::from("mysql://root@db/moneta".to_owned()));
        let cases: Vec<(Change, &str)> = vec![
            (
                Box::new(|s| s.database_url = Some(SecretString::from("postgres://x".to_owned()))),
                "MONETA_DATABASE_URL",
            ),
            (
                Box::new(move |s| {
                    s.database_url = mysql();
                    s.role = Role::Api;
                }),
                "MONETA_JWT_SECRET",
            ),
            (
                Box::new(|s| s.credentials_key = Some(SecretString::from("short".to_owned()))),
                "MONETA_CREDENTIALS_KEY",
            ),
            (
                Box::new(|s| {
                    s.redis_url = Some(SecretString::from("http://:hunter2@x".to_owned()))
                }),
                "MONETA_REDIS_URL",
            ),
            (
                Box::new(|s| s.vitess_global_keyspace = Some("moneta_global".to_owned())),
                "MONETA_VITESS_GLOBAL_KEYSPACE",
            ),
            (
                Box::new(move |s| {
                    s.database_url = mysql();
                    s.vitess_global_keyspace = Some("global`; DROP TABLE users; --".to_owned());
                }),
                "MONETA_VITESS_GLOBAL_KEYSPACE",
            ),
            (
                Box::new(|s| s.object_store_url = Some("not a url".to_owned())),
                "MONETA_OBJECT_STORE_URL",
            ),
            (
                Box::new(|s| s.otlp_endpoint = Some("ftp://collector".to_owned())),
                "OTEL_EXPORTER_OTLP_ENDPOINT",
            ),
            (
                Box::new(|s| s.log_filter = "info,[".to_owned()),
                "MONETA_LOG",
            ),
            (
                Box::new(|s| s.edge.institutions = Some(vec!["plaid".to_owned()])),
                "MONETA_INSTITUTIONS",
            ),
        ];
        for (change, variable) in cases {
            let message = with(change)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(message.contains(variable), "{variable}: {message:?}");
            assert!(!message.contains("hunter2"), "{message}");
        }
    }
}
