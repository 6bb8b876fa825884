//! The registry and the instruments of a Moneta process.

use std::time::Duration;

use moneta_core::cache::ReadCache;
use prometheus::{
    Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
};

use super::cache::CacheCollector;

/// Every metric of a Moneta process, in one registry.
#[derive(Debug, Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    statements: IntCounterVec,
    statement_latency: Histogram,
    operations: IntCounterVec,
    operation_latency: HistogramVec,
    subscriptions: IntGauge,
    sockets: IntGauge,
    queue_depth: IntGauge,
    dependency_up: IntGaugeVec,
}

const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

impl Metrics {
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("moneta".to_owned()), None)?;
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests answered"),
            &["method", "route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time to answer an HTTP request",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["method", "route"],
        )?;
        let statements = IntCounterVec::new(
            Opts::new("db_statements_total", "SQL statements sent to the database"),
            &["outcome"],
        )?;
        let statement_latency = Histogram::with_opts(
            HistogramOpts::new("db_statement_duration_seconds", "Time a SQL statement took")
                .buckets(vec![
                    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
                ]),
        )?;
        let operations = IntCounterVec::new(
            Opts::new(
                "graphql_operations_total",
                "GraphQL operations executed, by type and outcome",
            ),
            &["type", "outcome"],
        )?;
        let operation_latency = HistogramVec::new(
            HistogramOpts::new(
                "graphql_operation_duration_seconds",
                "Time to execute a GraphQL operation",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["type"],
        )?;
        let subscriptions = IntGauge::new(
            "graphql_subscriptions_active",
            "GraphQL subscriptions being served",
        )?;
        let sockets = IntGauge::new("websocket_connections_active", "Open GraphQL WebSockets")?;
        let queue_depth = IntGauge::new(
            "queue_depth",
            "Sync jobs waiting or in flight (read at scrape time)",
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(statements.clone()))?;
        registry.register(Box::new(statement_latency.clone()))?;
        registry.register(Box::new(operations.clone()))?;
        registry.register(Box::new(operation_latency.clone()))?;
        registry.register(Box::new(subscriptions.clone()))?;
        registry.register(Box::new(sockets.clone()))?;
        let dependency_up = IntGaugeVec::new(
            Opts::new(
                "dependency_up",
                "1 when the dependency answers its health probe, else 0 (read at scrape and \
                 at every /readyz); `required` says whether this process is ready without it",
            ),
            &["dependency", "required"],
        )?;
        registry.register(Box::new(queue_depth.clone()))?;
        registry.register(Box::new(dependency_up.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
            statements,
            statement_latency,
            operations,
            operation_latency,
            subscriptions,
            sockets,
            queue_depth,
            dependency_up,
        })
    }

    /// Records whether a dependency is up (`moneta_dependency_up`).
    pub fn observe_dependency(&self, name: &str, required: bool, up: bool) {
        let required = if required { "true" } else { "false" };
        self.dependency_up
            .with_label_values(&[name, required])
            .set(i64::from(up));
    }

    /// Records one answered HTTP request.
    pub fn observe_request(&self, method: &str, route: &str, status: &str, elapsed: Duration) {
        self.requests
            .with_label_values(&[method, route, status])
            .inc();
        self.latency
            .with_label_values(&[method, route])
            .observe(elapsed.as_secs_f64());
    }

    /// Records the sync queue's depth, read when metrics are rendered.
    pub fn observe_queue_depth(&self, depth: u64) {
        self.queue_depth
            .set(i64::try_from(depth).unwrap_or(i64::MAX));
    }

    /// Records one SQL statement (wired to the database's metric callback).
    pub fn observe_statement(&self, elapsed: Duration, failed: bool) {
        let outcome = if failed { "error" } else { "ok" };
        self.statements.with_label_values(&[outcome]).inc();
        self.statement_latency.observe(elapsed.as_secs_f64());
    }

    /// Records one executed GraphQL operation.
    pub fn observe_operation(&self, kind: &str, ok: bool, elapsed: Duration) {
        let outcome = if ok { "ok" } else { "error" };
        self.operations.with_label_values(&[kind, outcome]).inc();
        self.operation_latency
            .with_label_values(&[kind])
            .observe(elapsed.as_secs_f64());
    }

    /// Counts a subscription until the guard drops.
    pub fn subscription(&self) -> GaugeGuard {
        GaugeGuard::new(self.subscriptions.clone())
    }

    /// Counts an open WebSocket until the guard drops.
    pub fn socket(&self) -> GaugeGuard {
        GaugeGuard::new(self.sockets.clone())
    }

    /// Exposes the read cache's counters.
    pub fn watch_cache(&self, cache: ReadCache) -> Result<(), prometheus::Error> {
        self.registry
            .register(Box::new(CacheCollector::new(cache)?))
    }

    /// The registry other components add their metrics to.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }
}

/// Increments a gauge now and decrements it when dropped.
#[derive(Debug)]
pub struct GaugeGuard(IntGauge);

impl GaugeGuard {
    fn new(gauge: IntGauge) -> Self {
        gauge.inc();
        Self(gauge)
    }
}

impl Drop for GaugeGuard {
    fn drop(&mut self) {
        self.0.dec();
    }
}
