//! What the outside world may do: whose forwarding headers are believed,
//! which institutions can be linked, and how many accounts a user links.

use clap::{Args, ValueEnum};
use ipnet::IpNet;
use secrecy::SecretString;

use super::Environment;

#[derive(Debug, Clone, Args)]
pub struct EdgeSettings {
    /// CIDRs (or addresses) of the proxies in front of Moneta, comma-separated:
    /// only from these peers are `X-Forwarded-For` / `Forwarded` believed.
    #[arg(
        long,
        env = "MONETA_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_parser = proxy,
        global = true
    )]
    pub trusted_proxies: Vec<IpNet>,

    /// Institution ids users can link, comma-separated; default `sandbox`
    /// with `--env dev`, none with `--env production`.
    #[arg(
        long,
        env = "MONETA_INSTITUTIONS",
        value_delimiter = ',',
        global = true
    )]
    pub institutions: Option<Vec<String>>,

    /// Origins (`https://host[:port]`, comma-separated) a SimpleFIN setup
    /// token may name for its claim and access URLs; any other is refused
    /// unasked (a user's token must not make the server call elsewhere).
    /// The connector itself is on only when `MONETA_INSTITUTIONS` names
    /// `simplefin`.
    #[arg(
        long,
        env = "MONETA_SIMPLEFIN_ORIGINS",
        value_delimiter = ',',
        default_value = "https://bridge.simplefin.org,https://beta-bridge.simplefin.org",
        global = true
    )]
    pub simplefin_origins: Vec<String>,

    /// Accounts one user can have linked at once.
    #[arg(
        long,
        env = "MONETA_MAX_ACCOUNTS_PER_USER",
        default_value_t = 50,
        value_parser = clap::value_parser!(u32).range(1..=10_000),
        global = true
    )]
    pub max_accounts_per_user: u32,

    /// Which GraphQL documents the API runs: `off` (text only; document
    /// ids refused), `allow` (text, the client operations' ids and APQ
    /// registrations) or `enforce` (only the client operations, by id or
    /// exact text, unless the operator token is sent); default `allow` with
    /// `--env dev`, `enforce` with `--env production`.
    #[arg(long, env = "MONETA_TRUSTED_DOCUMENTS", value_enum, global = true)]
    pub trusted_documents: Option<TrustedDocuments>,

    /// A token (≥ 32 bytes) that lifts `enforce` for one request, sent as
    /// `X-Moneta-Operator-Token` (operators, GraphiQL); unset: none can.
    #[arg(long, env = "MONETA_OPERATOR_TOKEN", value_parser = super::settings::secret, hide_env_values = true, global = true)]
    pub operator_token: Option<SecretString>,

    /// Points each user's (or, signed out, each client address's) cost
    /// bucket holds: every GraphQL operation is charged its complexity
    /// (`extensions.cost`), refused with THROTTLED when it does not fit.
    /// At least the largest complexity allowed (5,000).
    #[arg(
        long,
        env = "MONETA_COST_BUCKET_POINTS",
        default_value_t = 10_000,
        value_parser = clap::value_parser!(u32).range(5_000..),
        global = true
    )]
    pub cost_bucket_points: u32,

    /// Points a cost bucket drains per second.
    #[arg(
        long,
        env = "MONETA_COST_DRAIN_PER_SEC",
        default_value_t = 1_000,
        value_parser = clap::value_parser!(u32).range(1..),
        global = true
    )]
    pub cost_drain_per_sec: u32,

    /// The largest bank file an import reads, in MB (`importTransactions`,
    /// `moneta import`); a larger one is refused unread (FILE_TOO_LARGE).
    #[arg(
        long,
        env = "MONETA_IMPORT_MAX_MB",
        default_value_t = 100,
        value_parser = clap::value_parser!(u64).range(1..=1024),
        global = true
    )]
    pub import_max_mb: u64,

    /// How long an access token lives, in seconds; a client refreshes it
    /// with its refresh token. Every api replica must agree (a token that
    /// says it lives longer than this is refused).
    #[arg(
        long,
        env = "MONETA_ACCESS_TOKEN_TTL_SECS",
        default_value_t = 900,
        value_parser = clap::value_parser!(u64).range(5..=86_400),
        global = true
    )]
    pub access_token_ttl_secs: u64,
}

/// Which GraphQL documents the API runs (`MONETA_TRUSTED_DOCUMENTS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TrustedDocuments {
    Off,
    Allow,
    Enforce,
}

impl EdgeSettings {
    /// [`EdgeSettings::import_max_mb`] in bytes.
    pub fn import_max_bytes(&self) -> u64 {
        self.import_max_mb * 1024 * 1024
    }

    /// The document policy in `env`: the one given, else the
    /// environment's default.
    pub fn trusted_documents(&self, env: Environment) -> TrustedDocuments {
        self.trusted_documents.unwrap_or(match env {
            Environment::Dev => TrustedDocuments::Allow,
            Environment::Production => TrustedDocuments::Enforce,
        })
    }

    /// The institutions enabled in `env`: the list given, else the
    /// environment's default.
    pub fn enabled_institutions(&self, env: Environment) -> Vec<String> {
        match &self.institutions {
            Some(list) => list
                .iter()
                .map(|id| id.trim().to_owned())
                .filter(|id| !id.is_empty())
                .collect(),
            None if env == Environment::Dev => vec!["sandbox".to_owned()],
            None => Vec::new(),
        }
    }
}

/// A CIDR, or a bare address (one host).
fn proxy(raw: &str) -> Result<IpNet, String> {
    let raw = raw.trim();
    raw.parse::<IpNet>()
        .or_else(|_| raw.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{raw:?} is not a CIDR (10.0.0.0/8) or an IP address"))
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::TrustedDocuments;
    use crate::config::{Cli, Environment, Settings};

    #[test]
    fn proxies_parse_as_cidrs_or_addresses_and_garbage_is_refused() {
        let cli = Cli::try_parse_from([
            "moneta",
            "--trusted-proxies",
            "10.0.0.0/8, 192.168.1.7,fd00::/8",
        ])
        .unwrap();
        let nets: Vec<String> = cli
            .settings
            .edge
            .trusted_proxies
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(nets, ["10.0.0.0/8", "192.168.1.7/32", "fd00::/8"]);
        assert!(Settings::defaults().edge.trusted_proxies.is_empty());
        assert!(Cli::try_parse_from(["moneta", "--trusted-proxies", "10.0.0.0/33"]).is_err());
        assert!(Cli::try_parse_from(["moneta", "--trusted-proxies", "ingress"]).is_err());
    }

    #[test]
    fn documents_are_enforced_in_production_and_allowed_in_dev_unless_set() {
        let edge = Settings::defaults().edge;
        assert_eq!(
            edge.trusted_documents(Environment::Dev),
            TrustedDocuments::Allow
        );
        assert_eq!(
            edge.trusted_documents(Environment::Production),
            TrustedDocuments::Enforce
        );
        let off = Cli::try_parse_from(["moneta", "--trusted-documents", "off"])
            .unwrap()
            .settings
            .edge;
        assert_eq!(
            off.trusted_documents(Environment::Production),
            TrustedDocuments::Off
        );
        assert!(Cli::try_parse_from(["moneta", "--trusted-documents", "some"]).is_err());
    }

    #[test]
    fn the_sandbox_is_on_in_dev_and_off_in_production_unless_listed() {
        let edge = Settings::defaults().edge;
        assert_eq!(edge.enabled_institutions(Environment::Dev), ["sandbox"]);
        assert!(
            edge.enabled_institutions(Environment::Production)
                .is_empty()
        );
        let listed = Cli::try_parse_from(["moneta", "--institutions", "sandbox"])
            .unwrap()
            .settings
            .edge;
        assert_eq!(
            listed.enabled_institutions(Environment::Production),
            ["sandbox"]
        );
        assert!(Cli::try_parse_from(["moneta", "--max-accounts-per-user", "0"]).is_err());
    }
}
