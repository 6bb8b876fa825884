//! Who the client is: the TCP peer, unless the peer is one of our own
//! proxies, in which case what it says about the request's origin.
//!
//! Only a trusted proxy's word counts. Anyone can send `X-Forwarded-For:
//! 1.2.3.4`; a proxy *appends* the address it received the request from.
//! So the chain is read from the right, skipping our own proxies, and the
//! first address that is not one of them is the client ("rightmost
//! untrusted hop"); whatever the client wrote further left is ignored.
//! `Forwarded: for=…` (RFC 7239) is read the same way and preferred when
//! present. A chain that ends in something unreadable falls back to the
//! peer: what a trusted proxy wrote last cannot be garbage unless the
//! proxy is misconfigured, and then no hop can be believed.

use std::net::{IpAddr, SocketAddr};

use ipnet::IpNet;
use poem::http::HeaderMap;

/// The proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(nets: Vec<IpNet>) -> Self {
        Self(nets)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }
}

/// The client's address for a request that came from `peer` with
/// `headers`.
pub fn client_ip(
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    trusted: &TrustedProxies,
) -> Option<IpAddr> {
    let peer = peer.map(|ip| ip.to_canonical())?;
    if !trusted.trusts(peer) {
        return Some(peer);
    }
    let chain = hops(headers, "forwarded", forwarded_for)
        .or_else(|| hops(headers, "x-forwarded-for", parse_node));
    let Some(chain) = chain else {
        return Some(peer);
    };
    // From the right: our own proxies are skipped; the first other hop is
    // the client. All hops ours: the leftmost is where it started.
    let mut nearest = peer;
    for hop in chain.iter().rev() {
        let Some(ip) = hop else {
            return Some(peer);
        };
        if !trusted.trusts(*ip) {
            return Some(*ip);
        }
        nearest = *ip;
    }
    Some(nearest)
}

/// The hops of every `name` header, in order (each line split at commas,
/// each hop read by `hop`); `None` without the header. A hop that cannot
/// be read (or a line that is not text) is `None`.
fn hops(
    headers: &HeaderMap,
    name: &str,
    hop: impl Fn(&str) -> Option<IpAddr>,
) -> Option<Vec<Option<IpAddr>>> {
    let mut values = headers.get_all(name).iter().peekable();
    values.peek()?;
    Some(
        values
            .flat_map(|v| v.to_str().unwrap_or("\u{0}").split(','))
            .map(|h| hop(h.trim()))
            .collect(),
    )
}

/// One element of `Forwarded`: its `for=` node; `None` without one or
/// with an obfuscated one (`for=_hidden`, `for=unknown`).
fn forwarded_for(element: &str) -> Option<IpAddr> {
    element.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("for")
            .then(|| parse_node(value.trim().trim_matches('"')))
    })?
}

/// `1.2.3.4`, `1.2.3.4:80`, `2001:db8::1`, `[2001:db8::1]` or
/// `[2001:db8::1]:80`.
fn parse_node(node: &str) -> Option<IpAddr> {
    let ip = node
        .parse::<IpAddr>()
        .ok()
        .or_else(|| node.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            node.strip_prefix('[')
                .and_then(|n| n.strip_suffix(']'))
                .and_then(|n| n.parse().ok())
        })?;
    Some(ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use poem::http::HeaderValue;

    use super::*;

    /// Header (name, value) pairs, in order.
    type Headers<'a> = &'a [(&'static str, &'a str)];

    fn trusted(nets: &[&str]) -> TrustedProxies {
        TrustedProxies::new(nets.iter().map(|n| n.parse().unwrap()).collect())
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let h = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("forwarded", "for=203.0.113.9"),
        ]);
        assert_eq!(
            client_ip(ip("198.51.100.7"), &h, &trusted(&[])),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_ip(ip("198.51.100.7"), &h, &trusted(&["10.0.0.0/8"])),
            ip("198.51.100.7")
        );
        assert_eq!(client_ip(None, &h, &trusted(&["10.0.0.0/8"])), None);
    }

    #[test]
    fn a_trusted_proxy_names_the_rightmost_untrusted_hop() {
        let proxies = trusted(&["10.0.0.0/8", "fd00::/8"]);
        let cases: &[(Headers, Option<IpAddr>)] = &[
            // The client forged the leftmost entry; the proxy appended the truth.
            (
                &[("x-forwarded-for", "1.1.1.1, 203.0.113.9")],
                ip("203.0.113.9"),
            ),
            // Two of our proxies in the chain.
            (
                &[("x-forwarded-for", "203.0.113.9, 10.1.2.3")],
                ip("203.0.113.9"),
            ),
            // Several header lines are one list.
            (
                &[
                    ("x-forwarded-for", "1.1.1.1"),
                    ("x-forwarded-for", "203.0.113.9:5555"),
                ],
                ip("203.0.113.9"),
            ),
            (
                &[("x-forwarded-for", "[2001:db8::7]:443")],
                ip("2001:db8::7"),
            ),
            // Forwarded wins over X-Forwarded-For.
            (
                &[
                    (
                        "forwarded",
                        r#"for=1.1.1.1, for="[2001:db8::7]:4711";proto=https"#,
                    ),
                    ("x-forwarded-for", "203.0.113.9"),
                ],
                ip("2001:db8::7"),
            ),
            (
                &[("forwarded", "proto=https;FOR=203.0.113.9")],
                ip("203.0.113.9"),
            ),
            // Only our proxies: the leftmost one.
            (&[("x-forwarded-for", "10.9.9.9, 10.1.2.3")], ip("10.9.9.9")),
            // No header: the proxy itself.
            (&[], ip("10.0.0.1")),
            // Garbage where the proxy writes: believe nobody but the peer.
            (
                &[("x-forwarded-for", "203.0.113.9, nonsense")],
                ip("10.0.0.1"),
            ),
            (&[("forwarded", "for=unknown")], ip("10.0.0.1")),
            (
                &[("forwarded", "for=_hidden, for=203.0.113.9")],
                ip("203.0.113.9"),
            ),
            // An IPv4-mapped IPv6 hop is its IPv4 address.
            (
                &[("x-forwarded-for", "::ffff:203.0.113.9")],
                ip("203.0.113.9"),
            ),
        ];
        for (pairs, expected) in cases {
            assert_eq!(
                client_ip(ip("10.0.0.1"), &headers(pairs), &proxies),
                *expected,
                "{pairs:?}"
            );
        }
    }

    #[test]
    fn an_ipv4_mapped_peer_matches_an_ipv4_range() {
        let h = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(
            client_ip(ip("::ffff:10.0.0.1"), &h, &trusted(&["10.0.0.0/8"])),
            ip("203.0.113.9")
        );
    }
}
