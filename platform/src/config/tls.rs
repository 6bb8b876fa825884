//! TLS settings for the connections to Redis and MySQL: which certificate
//! authorities to trust, and how hard MySQL insists on TLS. The clients
//! themselves are built in [`crate::tls`] (Redis) and [`crate::db`] (MySQL).

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use secrecy::ExposeSecret as _;

use super::{ConfigError, DatabaseKind, Settings};

/// How a MySQL connection uses TLS (MySQL's `--ssl-mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DatabaseTlsMode {
    /// Plain TCP, even when the server offers TLS.
    Disabled,
    /// TLS when the server offers it, without checking its certificate;
    /// plain TCP otherwise (sqlx's default).
    Preferred,
    /// TLS or no connection; the certificate is not checked.
    Required,
    /// TLS, and the server's certificate must chain to a trusted CA.
    VerifyCa,
    /// As `verify-ca`, and the certificate must name the host connected to.
    VerifyIdentity,
}

impl DatabaseTlsMode {
    /// The spelling of a `mysql://…?ssl-mode=` value (sqlx's, MySQL's).
    pub fn as_url_value(self) -> &'static str {
        match self {
            Self::Disabled => "disabled",
            Self::Preferred => "preferred",
            Self::Required => "required",
            Self::VerifyCa => "verify_ca",
            Self::VerifyIdentity => "verify_identity",
        }
    }

    /// Reads a URL's `ssl-mode` value in any case, with `_` or `-`.
    pub fn from_url_value(value: &str) -> Option<Self> {
        let value = value.to_ascii_lowercase().replace('-', "_");
        [
            Self::Disabled,
            Self::Preferred,
            Self::Required,
            Self::VerifyCa,
            Self::VerifyIdentity,
        ]
        .into_iter()
        .find(|m| m.as_url_value() == value)
    }

    /// Whether the server's certificate is checked against the trusted CAs.
    pub fn verifies_certificate(self) -> bool {
        matches!(self, Self::VerifyCa | Self::VerifyIdentity)
    }
}

/// TLS to Redis and MySQL.
#[derive(Debug, Clone, Args)]
pub struct TlsSettings {
    /// PEM file of CA certificates trusted for `rediss://`, besides the
    /// built-in public roots (Mozilla's, from webpki-roots). Needs a
    /// `rediss://` Redis URL.
    #[arg(long, env = "MONETA_REDIS_TLS_CA_FILE", global = true)]
    pub redis_tls_ca_file: Option<PathBuf>,

    /// TLS to MySQL: `disabled`, `preferred`, `required`, `verify-ca` or
    /// `verify-identity`. Unset: the URL's `ssl-mode`, else `preferred`. A
    /// URL `ssl-mode` that contradicts this setting is refused.
    #[arg(long, env = "MONETA_DATABASE_TLS_MODE", value_enum, global = true)]
    pub database_tls_mode: Option<DatabaseTlsMode>,

    /// PEM file of CA certificates that MySQL's certificate must chain to
    /// (with `verify-ca` or `verify-identity`; else the built-in public
    /// roots). The URL's `ssl-ca` is the alternative; not both.
    #[arg(long, env = "MONETA_DATABASE_TLS_CA_FILE", global = true)]
    pub database_tls_ca_file: Option<PathBuf>,
}

impl Settings {
    /// The TLS settings: CA files exist and hold certificates, and each
    /// setting applies to the configured connection.
    pub(super) fn validate_tls(&self, kind: DatabaseKind) -> Result<(), ConfigError> {
        let tls = &self.tls;
        if let Some(path) = &tls.redis_tls_ca_file {
            let scheme = self
                .redis_url
                .as_ref()
                .and_then(|u| url::Url::parse(u.expose_secret()).ok())
                .map(|u| u.scheme().to_owned());
            if !scheme.is_some_and(|s| s.starts_with("rediss") || s.starts_with("valkeys")) {
                return Err(ConfigError::invalid(
                    "MONETA_REDIS_TLS_CA_FILE",
                    "needs a rediss:// MONETA_REDIS_URL",
                ));
            }
            crate::tls::root_store(Some(path))
                .map_err(|e| ConfigError::invalid("MONETA_REDIS_TLS_CA_FILE", e.to_string()))?;
        }
        if kind != DatabaseKind::MySql {
            for (given, variable) in [
                (tls.database_tls_mode.is_some(), "MONETA_DATABASE_TLS_MODE"),
                (
                    tls.database_tls_ca_file.is_some(),
                    "MONETA_DATABASE_TLS_CA_FILE",
                ),
            ] {
                if given {
                    return Err(ConfigError::invalid(
                        variable,
                        "applies to a mysql:// MONETA_DATABASE_URL only",
                    ));
                }
            }
            return Ok(());
        }
        let database_url = self
            .database_url
            .as_ref()
            .and_then(|u| url::Url::parse(u.expose_secret()).ok());
        let query = |names: &[&str]| {
            database_url
                .as_ref()?
                .query_pairs()
                .find(|(k, _)| names.contains(&k.as_ref()))
                .map(|(_, v)| v.into_owned())
        };
        let url_mode = query(&["ssl-mode", "sslmode"]);
        if let (Some(setting), Some(in_url)) = (tls.database_tls_mode, &url_mode)
            && DatabaseTlsMode::from_url_value(in_url) != Some(setting)
        {
            return Err(ConfigError::invalid(
                "MONETA_DATABASE_TLS_MODE",
                format!("contradicts the database URL's ssl-mode={in_url}; set one of them"),
            ));
        }
        if let Some(path) = &tls.database_tls_ca_file {
            if query(&["ssl-ca", "sslca"]).is_some() {
                return Err(ConfigError::invalid(
                    "MONETA_DATABASE_TLS_CA_FILE",
                    "the database URL has its own ssl-ca; set one of them",
                ));
            }
            let mode = tls
                .database_tls_mode
                .or_else(|| {
                    url_mode
                        .as_deref()
                        .and_then(DatabaseTlsMode::from_url_value)
                })
                .unwrap_or(DatabaseTlsMode::Preferred);
            if !mode.verifies_certificate() {
                return Err(ConfigError::invalid(
                    "MONETA_DATABASE_TLS_CA_FILE",
                    "is only used with MONETA_DATABASE_TLS_MODE=verify-ca or verify-identity",
                ));
            }
            crate::tls::load_pem_certificates(path)
                .map_err(|e| ConfigError::invalid("MONETA_DATABASE_TLS_CA_FILE", e.to_string()))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_spellings_round_trip() {
        for mode in DatabaseTlsMode::value_variants() {
            assert_eq!(
                DatabaseTlsMode::from_url_value(mode.as_url_value()),
                Some(*mode)
            );
            // The flag's spelling (`verify-ca`) is accepted in a URL too.
            let flag = mode.to_possible_value().map(|v| v.get_name().to_owned());
            assert_eq!(
                DatabaseTlsMode::from_url_value(&flag.unwrap_or_default()),
                Some(*mode)
            );
        }
        assert_eq!(
            DatabaseTlsMode::from_url_value("VERIFY_IDENTITY"),
            Some(DatabaseTlsMode::VerifyIdentity)
        );
        assert_eq!(DatabaseTlsMode::from_url_value("strict"), None);
    }

    /// A CA certificate, generated.
    fn ca_file(dir: &std::path::Path) -> PathBuf {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let path = dir.join("ca.pem");
        std::fs::write(&path, params.self_signed(&key).unwrap().pem()).unwrap();
        path
    }

    type Change = Box<dyn FnOnce(&mut Settings)>;

    fn with(f: impl FnOnce(&mut Settings)) -> Result<(), String> {
        let mut s = Settings::defaults();
        f(&mut s);
        s.validate().map_err(|e| e.to_string())
    }

    fn secret(s: &str) -> Option<secrecy::SecretString> {
        Some(secrecy::SecretString::from(s.to_owned()))
    }

    #[test]
    fn tls_settings_that_cannot_apply_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let ca = ca_file(dir.path());
        let mysql = "mysql://root:hunter2@db/moneta";
        let cases: Vec<(Change, &str, &str)> = vec![
            (
                Box::new({
                    let ca = ca.clone();
                    move |s| {
                        s.redis_url = secret("redis://:hunter2@cache");
                        s.tls.redis_tls_ca_file = Some(ca);
                    }
                }),
                "MONETA_REDIS_TLS_CA_FILE",
                "rediss://",
            ),
            (
                Box::new(|s| {
                    s.redis_url = secret("rediss://:hunter2@cache");
                    s.tls.redis_tls_ca_file = Some("/nonexistent/ca.pem".into());
                }),
                "MONETA_REDIS_TLS_CA_FILE",
                "/nonexistent/ca.pem",
            ),
            (
                Box::new(|s| s.tls.database_tls_mode = Some(DatabaseTlsMode::Required)),
                "MONETA_DATABASE_TLS_MODE",
                "mysql://",
            ),
            (
                Box::new(move |s| {
                    s.database_url = secret(&format!("{mysql}?ssl-mode=disabled"));
                    s.tls.database_tls_mode = Some(DatabaseTlsMode::Required);
                }),
                "MONETA_DATABASE_TLS_MODE",
                "ssl-mode=disabled",
            ),
            (
                Box::new({
                    let ca = ca.clone();
                    move |s| {
                        s.database_url = secret(mysql);
                        s.tls.database_tls_ca_file = Some(ca);
                    }
                }),
                "MONETA_DATABASE_TLS_CA_FILE",
                "verify-ca",
            ),
            (
                Box::new({
                    let ca = ca.clone();
                    move |s| {
                        s.database_url = secret(&format!("{mysql}?ssl-ca=/etc/ca.pem"));
                        s.tls.database_tls_mode = Some(DatabaseTlsMode::VerifyCa);
                        s.tls.database_tls_ca_file = Some(ca);
                    }
                }),
                "MONETA_DATABASE_TLS_CA_FILE",
                "ssl-ca",
            ),
            (
                Box::new(move |s| {
                    s.database_url = secret(mysql);
                    s.tls.database_tls_mode = Some(DatabaseTlsMode::VerifyCa);
                    s.tls.database_tls_ca_file = Some("/nonexistent/db-ca.pem".into());
                }),
                "MONETA_DATABASE_TLS_CA_FILE",
                "/nonexistent/db-ca.pem",
            ),
        ];
        for (change, variable, says) in cases {
            let message = with(change).err().unwrap_or_default();
            assert!(message.contains(variable), "{variable}: {message:?}");
            assert!(message.contains(says), "{says}: {message:?}");
            assert!(!message.contains("hunter2"), "{message}");
        }
    }

    #[test]
    fn tls_settings_that_agree_are_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let ca = ca_file(dir.path());
        let mysql = "mysql://root@db/moneta";
        let cases: Vec<Change> = vec![
            Box::new(|s| s.redis_url = secret("rediss://cache:6380")),
            Box::new({
                let ca = ca.clone();
                move |s| {
                    s.redis_url = secret("rediss://:pw@cache:6380");
                    s.tls.redis_tls_ca_file = Some(ca);
                }
            }),
            Box::new(move |s| {
                s.database_url = secret(&format!("{mysql}?ssl-mode=REQUIRED"));
                s.tls.database_tls_mode = Some(DatabaseTlsMode::Required);
            }),
            Box::new(move |s| {
                s.database_url = secret(&format!("{mysql}?ssl-mode=verify_ca"));
                s.tls.database_tls_ca_file = Some(ca);
            }),
        ];
        for change in cases {
            assert_eq!(with(change), Ok(()));
        }
    }
}
