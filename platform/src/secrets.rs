//! The process's secrets: given, or generated into the data dir.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;
use secrecy::{ExposeSecret, SecretString};

use crate::config::{DatabaseKind, Role, Settings};

/// The shortest secret accepted.
pub const MIN_LEN: usize = 32;

/// Whether secrets must be given rather than generated: a clustered role
/// on MySQL, so every replica agrees.
pub fn must_be_given(role: Role, db: DatabaseKind) -> bool {
    role != Role::All && db == DatabaseKind::MySql
}

#[derive(Debug, Clone)]
pub struct Secrets {
    pub jwt_secret: SecretString,
    pub credentials_key: SecretString,
}

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("{0} is required with --role api|worker on MySQL")]
    Missing(&'static str),
    #[error("{0} must be at least {MIN_LEN} bytes")]
    TooShort(&'static str),
    #[error("cannot read or write the generated secret at {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Secrets {
    /// Given secrets win. Missing ones are generated once into
    /// `<data dir>/secrets/` (with a warning) — except for a clustered role
    /// on MySQL, which must be given them so every replica agrees.
    pub fn resolve(
        settings: &Settings,
        role: Role,
        db: DatabaseKind,
    ) -> Result<Self, SecretsError> {
        let clustered = must_be_given(role, db);
        let get = |given: &Option<SecretString>, var: &'static str, file: &str| match given {
            Some(s) if s.expose_secret().len() < MIN_LEN => Err(SecretsError::TooShort(var)),
            Some(s) => Ok(s.clone()),
            None if clustered => Err(SecretsError::Missing(var)),
            None => load_or_generate(&settings.data_dir.join("secrets").join(file), var),
        };
        Ok(Self {
            jwt_secret: get(&settings.jwt_secret, "MONETA_JWT_SECRET", "jwt_secret")?,
            credentials_key: get(
                &settings.credentials_key,
                "MONETA_CREDENTIALS_KEY",
                "credentials_key",
            )?,
        })
    }
}

fn load_or_generate(path: &Path, var: &'static str) -> Result<SecretString, SecretsError> {
    let io = |source| SecretsError::Io {
        path: path.to_owned(),
        source,
    };
    if let Ok(existing) = fs::read_to_string(path) {
        let existing = existing.trim().to_owned();
        if existing.len() >= MIN_LEN {
            return Ok(SecretString::from(existing));
        }
    }
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(io)?;
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let value = URL_SAFE_NO_PAD.encode(bytes);
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(io)?;
    file.write_all(value.as_bytes()).map_err(io)?;
    tracing::warn!(setting = var, path = %path.display(), "secret not configured: generated one into the data dir");
    Ok(SecretString::from(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_once_and_reuses() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Settings::defaults();
        s.data_dir = dir.path().to_owned();
        let a = Secrets::resolve(&s, Role::All, DatabaseKind::Sqlite).unwrap();
        let b = Secrets::resolve(&s, Role::All, DatabaseKind::Sqlite).unwrap();
        assert_eq!(a.jwt_secret.expose_secret(), b.jwt_secret.expose_secret());
        assert_ne!(
            a.jwt_secret.expose_secret(),
            a.credentials_key.expose_secret()
        );
    }

    #[test]
    fn clustered_roles_on_mysql_require_secrets() {
        let s = Settings::defaults();
        assert!(matches!(
            Secrets::resolve(&s, Role::Api, DatabaseKind::MySql),
            Err(SecretsError::Missing("MONETA_JWT_SECRET"))
        ));
    }

    #[test]
    fn short_secrets_are_refused() {
        let mut s = Settings::defaults();
        s.jwt_secret = Some(SecretString::from("short".to_owned()));
        assert!(matches!(
            Secrets::resolve(&s, Role::All, DatabaseKind::Sqlite),
            Err(SecretsError::TooShort(_))
        ));
    }
}
