//! What the API is built from.

use std::sync::Arc;

use moneta_core::accounts::{AccountService, Accounts};
use moneta_core::auth::AuthService;
use moneta_core::budget::BudgetService;
use moneta_core::cache::ReadCache;
use moneta_core::imports::ImportService;
use moneta_core::notifications::Notifications;
use moneta_core::ports::{Bucket, Dependency, EventBus, JobQueue, RateLimiter};
use moneta_core::rules::Rules;
use moneta_core::transactions::Transactions;
use moneta_core::transactions::{CategoryOverrides, Reasons};
use moneta_core::transfers::Transfers;
use moneta_core::users::{Activity, Erasure, Users};

use secrecy::SecretString;

use crate::graphql::Trust;
use crate::http::client_ip::TrustedProxies;
use crate::metrics::Metrics;

/// The domain services resolvers call. The API reaches the database
/// only through them.
#[derive(Debug, Clone)]
pub struct Services {
    pub auth: AuthService,
    /// Linking, refreshing and unlinking accounts.
    pub account_links: AccountService,
    /// Reading accounts.
    pub accounts: Accounts,
    pub users: Users,
    pub transactions: Transactions,
    pub notifications: Notifications,
    pub categories: CategoryOverrides,
    /// Explanations and merchant names.
    pub reasons: Reasons,
    pub rules: Rules,
    pub transfers: Transfers,
    /// Importing bank files.
    pub imports: ImportService,
    pub budgets: BudgetService,
    pub activity: Activity,
    /// Deleting a user and everything of theirs.
    pub erasure: Erasure,
    pub events: Arc<dyn EventBus>,
    pub rate_limiter: Arc<dyn RateLimiter>,
    pub cache: ReadCache,
}

/// What the operational endpoints need.
#[derive(Debug, Clone)]
pub struct Ops {
    /// What `/readyz` checks, each required or degrading for this role.
    pub dependencies: Vec<Dependency>,
    pub metrics: Metrics,
    /// Read for the queue-depth gauge at scrape time.
    pub queue: Option<Arc<dyn JobQueue>>,
}

#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Off in production: GraphiQL, introspection, field suggestions.
    pub developer_tools: bool,
    /// Proxies whose `X-Forwarded-For` / `Forwarded` are believed.
    pub trusted_proxies: TrustedProxies,
    /// Which documents run (`graphql::persisted`).
    pub trust: Trust,
    /// Lifts `enforce` for a request that sends it.
    pub operator_token: Option<SecretString>,
    /// Each caller's cost bucket (`graphql::cost`).
    pub cost_bucket: Bucket,
}

/// The caller's IP address: the TCP peer, or what a trusted proxy says
/// (`http::client_ip`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub Option<std::net::IpAddr>);
