//! Prometheus metrics: HTTP request counts and latency, rendered on
//! `/metrics`. Each server owns its registry (no global state), so several
//! servers in one process — the tests — keep separate counts.

use std::time::Instant;

use poem::web::Data;
use poem::{Endpoint, IntoResponse, Request, Response, handler};
use prometheus::{Encoder as _, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry};

use crate::state::Ops;

#[derive(Debug, Clone)]
pub struct HttpMetrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    statements: IntCounterVec,
    statement_latency: prometheus::Histogram,
}

impl HttpMetrics {
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
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
            &["method", "route"],
        )?;
        let statements = IntCounterVec::new(
            Opts::new("db_statements_total", "SQL statements sent to the database"),
            &["outcome"],
        )?;
        let statement_latency = prometheus::Histogram::with_opts(
            HistogramOpts::new("db_statement_duration_seconds", "Time a SQL statement took")
                .buckets(vec![
                    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
                ]),
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(statements.clone()))?;
        registry.register(Box::new(statement_latency.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
            statements,
            statement_latency,
        })
    }

    /// Records one SQL statement (wired to the database's metric callback).
    pub fn observe_statement(&self, elapsed: std::time::Duration, failed: bool) {
        let outcome = if failed { "error" } else { "ok" };
        self.statements.with_label_values(&[outcome]).inc();
        self.statement_latency.observe(elapsed.as_secs_f64());
    }

    /// The registry other components add their metrics to.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }
}

/// Known routes keep their path as the label; anything else is `other`,
/// so a scanner cannot blow up the label set.
fn route_label(path: &str) -> &'static str {
    match path {
        "/graphql" => "/graphql",
        "/graphql/ws" => "/graphql/ws",
        "/healthz" => "/healthz",
        "/readyz" => "/readyz",
        "/metrics" => "/metrics",
        _ => "other",
    }
}

pub async fn observe<E: Endpoint>(
    metrics: HttpMetrics,
    ep: E,
    req: Request,
) -> poem::Result<Response> {
    let method = req.method().as_str().to_owned();
    let route = route_label(req.uri().path());
    let started = Instant::now();
    let result = ep.call(req).await.map(IntoResponse::into_response);
    let status = match &result {
        Ok(resp) => resp.status(),
        Err(err) => err.status(),
    };
    metrics
        .requests
        .with_label_values(&[method.as_str(), route, status.as_str()])
        .inc();
    metrics
        .latency
        .with_label_values(&[method.as_str(), route])
        .observe(started.elapsed().as_secs_f64());
    result
}

#[handler]
pub fn render(Data(ops): Data<&Ops>) -> Response {
    let mut body = Vec::new();
    let encoder = prometheus::TextEncoder::new();
    match encoder.encode(&ops.metrics.registry.gather(), &mut body) {
        Ok(()) => Response::builder()
            .content_type(encoder.format_type())
            .body(body),
        Err(error) => {
            tracing::error!(%error, "metrics encoding failed");
            Response::builder()
                .status(poem::http::StatusCode::INTERNAL_SERVER_ERROR)
                .finish()
        }
    }
}
