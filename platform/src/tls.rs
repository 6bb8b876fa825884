//! TLS client configuration for `rediss://`: rustls with the ring provider,
//! trusting the built-in public roots plus an optional PEM bundle.
//!
//! The provider is named here rather than taken from the process default:
//! both of rustls's providers are compiled in (ring through sqlx and
//! reqwest, aws-lc-rs through object_store), so `ClientConfig::builder()`
//! would find no unambiguous default and panic. Code we do not own asks
//! for the default all the same (sqlx's `verify-ca` builds its verifier
//! with `WebPkiServerVerifier::builder`), so [`install_default_provider`]
//! makes ring the process default before the database connects.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;
use rustls::{ClientConfig, RootCertStore};

/// Why a TLS client configuration could not be built. Names the file,
/// never its content.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not a PEM certificate bundle: {reason}", path.display())]
    Pem { path: PathBuf, reason: String },
    #[error("{} holds no PEM certificate", path.display())]
    NoCertificate { path: PathBuf },
    #[error("{} holds a certificate rustls refuses as a trust anchor: {source}", path.display())]
    Anchor {
        path: PathBuf,
        source: rustls::Error,
    },
    #[error("TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
}

/// Makes ring the process's default rustls provider, unless one is
/// already installed. Without it, anything that asks for the default
/// panics ("Could not automatically determine the process-level
/// CryptoProvider"): MySQL's `verify-ca` mode did. Idempotent.
pub fn install_default_provider() {
    // An `Err` only says a provider was installed first; it stays.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The certificates of a PEM bundle (at least one).
pub fn load_pem_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let bytes = std::fs::read(path).map_err(|source| TlsError::Read {
        path: path.to_owned(),
        source,
    })?;
    let certificates = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::Pem {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
    if certificates.is_empty() {
        return Err(TlsError::NoCertificate {
            path: path.to_owned(),
        });
    }
    Ok(certificates)
}

/// The trust roots: webpki-roots' public CAs, plus every certificate of
/// `ca_file`.
pub fn root_store(ca_file: Option<&Path>) -> Result<RootCertStore, TlsError> {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = ca_file {
        for certificate in load_pem_certificates(path)? {
            roots.add(certificate).map_err(|source| TlsError::Anchor {
                path: path.to_owned(),
                source,
            })?;
        }
    }
    Ok(roots)
}

/// A rustls client configuration (ring provider, TLS 1.2 and 1.3, no
/// client certificate) that trusts [`root_store`].
pub fn client_config(ca_file: Option<&Path>) -> Result<ClientConfig, TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(root_store(ca_file)?)
        .with_no_client_auth())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_file_the_public_roots_are_trusted() {
        let roots = root_store(None).unwrap();
        assert_eq!(roots.len(), webpki_roots::TLS_SERVER_ROOTS.len());
        assert!(client_config(None).is_ok());
    }

    #[test]
    fn a_bad_bundle_is_named_and_not_quoted() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "no certificate here: hunter2\n").unwrap();
        let missing = dir.path().join("missing.pem");
        let garbled = dir.path().join("garbled.pem");
        std::fs::write(
            &garbled,
            "-----BEGIN CERTIFICATE-----\nhunter2!!\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        for path in [&empty, &missing, &garbled] {
            let message = client_config(Some(path)).unwrap_err().to_string();
            assert!(message.contains(&*path.to_string_lossy()), "{message}");
            assert!(!message.contains("hunter2"), "{message}");
        }
    }
}
