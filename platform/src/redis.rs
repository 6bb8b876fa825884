//! The Redis connection: a command pool and a pub/sub client, both under
//! one key prefix. `rediss://` (and `rediss-cluster://`, …) connect over
//! TLS with [`crate::tls::client_config`].

use std::path::Path;
use std::time::Duration;

use fred::clients::{Client, SubscriberClient, WithOptions};
use fred::error::{Error, ErrorKind};
use fred::prelude::{Builder, ClientLike, Config, Options, Pool, ReconnectPolicy, Value};
use fred::types::config::{TlsConfig, TracingConfig};
use fred::types::{ClusterHash, CustomCommand};
use secrecy::{ExposeSecret as _, SecretString};

const POOL_SIZE: usize = 4;
/// Pub/sub messages the subscriber client holds for its listener (fred's
/// default is 32). A replica busy for a moment (a burst of alerts, 200
/// users' writes at once) receives them all together; past this backlog
/// the oldest are skipped and their live deliveries lost. Each slot is a
/// small message: 8,192 of them cost about a megabyte.
const SUBSCRIBER_BACKLOG: usize = 8_192;

/// Connected Redis clients. Every key, stream and channel goes through
/// [`Redis::key`] so deployments and tests sharing a server stay apart.
#[derive(Clone)]
pub struct Redis {
    pub pool: Pool,
    pub subscriber: SubscriberClient,
    prefix: String,
}

impl std::fmt::Debug for Redis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redis")
            .field("prefix", &self.prefix)
            .finish()
    }
}

impl Redis {
    /// Connects and waits for the first connection. Afterwards the clients
    /// reconnect on their own, forever, with backoff (100 ms doubling to
    /// 5 s). While a connection is down its commands wait for the
    /// reconnection, at most 2 s (`default_command_timeout`), then fail;
    /// [`Redis::fail_fast`] gives commands that fail at once instead.
    pub async fn connect(url: &SecretString, prefix: &str) -> Result<Self, Error> {
        Self::connect_with_ca(url, prefix, None).await
    }

    /// As [`Redis::connect`]; a `rediss://` URL also trusts the CA
    /// certificates of `tls_ca_file` (PEM) besides the public roots.
    pub async fn connect_with_ca(
        url: &SecretString,
        prefix: &str,
        tls_ca_file: Option<&Path>,
    ) -> Result<Self, Error> {
        let mut config = config_from_url(url.expose_secret(), tls_ca_file)?;
        // A span per command (name and sizes, never arguments).
        config.tracing = TracingConfig::new(true);
        let tls = config.tls.is_some();
        let mut builder = Builder::from_config(config);
        builder
            .with_connection_config(|c| {
                c.connection_timeout = Duration::from_secs(3);
                c.internal_command_timeout = Duration::from_secs(3);
                c.max_command_attempts = 2;
            })
            .with_performance_config(|p| {
                p.default_command_timeout = Duration::from_secs(2);
            })
            .set_policy(ReconnectPolicy::new_exponential(0, 100, 5_000, 2));
        let pool = builder.build_pool(POOL_SIZE)?;
        builder.with_performance_config(|p| {
            p.broadcast_channel_capacity = SUBSCRIBER_BACKLOG;
        });
        let subscriber = builder.build_subscriber_client()?;
        pool.init().await.map_err(|e| explain(e, tls))?;
        subscriber.init().await.map_err(|e| explain(e, tls))?;
        // Re-subscribe to our channels after every reconnect. The task runs
        // for the client's life; dropping its handle detaches it.
        drop(subscriber.manage_subscriptions());
        tracing::info!(prefix, tls, "redis connected");
        Ok(Self {
            pool,
            subscriber,
            prefix: prefix.to_owned(),
        })
    }

    /// A connected client of the pool (any, when none is) whose commands
    /// fail at once while its connection is down, instead of waiting for
    /// the reconnection: for callers that have something else to do then
    /// (the read cache reads the database, rate limits count in process,
    /// health reports the outage, an event is dropped), so a request is
    /// not held up by an outage of Redis. After one, the clients of the
    /// pool reconnect each on its own backoff; until the last has, these
    /// commands go to those that did.
    pub fn fail_fast(&self) -> WithOptions<Client> {
        self.pool.next_connected().with_options(&Options {
            fail_fast: true,
            ..Options::default()
        })
    }

    /// `<prefix>:<name>`.
    pub fn key(&self, name: &str) -> String {
        format!("{}:{name}", self.prefix)
    }

    /// Runs `script` on the one (already prefixed) `key` with `args`, on
    /// `client`. EVAL through `custom`: fred's scripting interface is
    /// behind the `i-scripts` feature, which the workspace does not
    /// enable.
    pub async fn eval(
        client: &impl ClientLike,
        script: &'static str,
        key: String,
        args: Vec<Value>,
    ) -> Result<Value, Error> {
        let mut all: Vec<Value> = vec![script.into(), 1_i64.into(), key.into()];
        all.extend(args);
        // Hash slot from the key (argument 2), for Redis Cluster.
        let eval = CustomCommand::new_static("EVAL", ClusterHash::Offset(2), false);
        client.custom::<Value, _>(eval, all).await
    }
}

/// Parses a Redis URL without connecting. A TLS scheme (`rediss`,
/// `valkeys`, with `-cluster` or `-sentinel`) gets our rustls
/// configuration: fred's own default would call `ClientConfig::builder()`,
/// which panics with two crypto providers compiled in (see
/// [`crate::tls`]). Errors never quote the URL (it may carry a password).
pub fn config_from_url(url: &str, tls_ca_file: Option<&Path>) -> Result<Config, Error> {
    let mut parsed = url::Url::parse(url)
        .map_err(|e| Error::new(ErrorKind::Config, format!("not a URL: {e}")))?;
    let scheme = parsed.scheme().to_owned();
    // fred takes any other scheme (`http://…`) for a plain server.
    let known = ["redis", "rediss", "valkey", "valkeys"].iter().any(|base| {
        ["", "-cluster", "-sentinel"]
            .iter()
            .any(|kind| scheme == format!("{base}{kind}"))
    });
    if !known {
        return Err(Error::new(
            ErrorKind::Config,
            "the scheme must be redis, rediss, valkey or valkeys (with -cluster or -sentinel)",
        ));
    }
    // The same scheme without TLS: `rediss-cluster` → `redis-cluster`.
    let plain = [("rediss", "redis"), ("valkeys", "valkey")]
        .into_iter()
        .find_map(|(tls, plain)| Some(format!("{plain}{}", scheme.strip_prefix(tls)?)));
    if let Some(plain) = &plain {
        parsed
            .set_scheme(plain)
            .map_err(|()| Error::new(ErrorKind::Config, "unsupported URL scheme"))?;
    }
    let mut config = Config::from_url(parsed.as_str()).map_err(|e| {
        Error::new(
            ErrorKind::Config,
            format!("not a Redis URL ({:?})", e.kind()),
        )
    })?;
    if plain.is_some() {
        let client = crate::tls::client_config(tls_ca_file)
            .map_err(|e| Error::new(ErrorKind::Tls, e.to_string()))?;
        config.tls = Some(TlsConfig::from(client));
    }
    Ok(config)
}

/// A first connection that failed over TLS says which setting to look at.
fn explain(error: Error, tls: bool) -> Error {
    let message = error.details().to_owned();
    let about_tls = matches!(error.kind(), ErrorKind::Tls)
        || ["certificate", "tls", "handshake"]
            .iter()
            .any(|w| message.to_ascii_lowercase().contains(w));
    if tls && about_tls {
        Error::new(
            ErrorKind::Tls,
            format!(
                "TLS to Redis failed: {message} (the server's certificate must chain to a \
                 public root or to a CA in MONETA_REDIS_TLS_CA_FILE, and name the URL's host)"
            ),
        )
    } else {
        error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_schemes_get_our_rustls_config() {
        for (url, tls) in [
            ("redis://127.0.0.1:6379", false),
            ("rediss://:pw@127.0.0.1:6380/2", true),
            ("valkeys://127.0.0.1", true),
            ("rediss-cluster://127.0.0.1:7000?node=127.0.0.1:7001", true),
            ("redis-cluster://127.0.0.1:7000", false),
        ] {
            let config = config_from_url(url, None).unwrap();
            assert_eq!(config.uses_rustls(), tls, "{url}");
        }
        let config = config_from_url("rediss://:pw@example.com:6380/2", None).unwrap();
        assert_eq!(config.password.as_deref(), Some("pw"));
        assert_eq!(config.database, Some(2));
    }

    #[test]
    fn a_bad_url_is_refused_without_quoting_it() {
        for url in ["http://:hunter2@x", "rediss://:hunter2@", "hunter2"] {
            let message = config_from_url(url, None).unwrap_err().to_string();
            assert!(!message.contains("hunter2"), "{message}");
        }
    }

    #[test]
    fn a_missing_ca_file_is_named() {
        let message = config_from_url("rediss://127.0.0.1", Some(Path::new("/nonexistent/ca.pem")))
            .unwrap_err()
            .to_string();
        assert!(message.contains("/nonexistent/ca.pem"), "{message}");
    }
}
