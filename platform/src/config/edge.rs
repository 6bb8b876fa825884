//! What the outside world may do: whose forwarding headers are believed.

use clap::Args;
use ipnet::IpNet;

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

    use crate::config::{Cli, Settings};

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
}
