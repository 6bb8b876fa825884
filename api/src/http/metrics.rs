//! `/metrics`, and the span and the counts of every HTTP request.

use std::sync::Arc;
use std::time::Instant;

use poem::web::Data;
use poem::{Endpoint, IntoResponse, Request, Response, handler};
use prometheus::Encoder as _;
use tracing::Instrument as _;

use super::health::{Readiness, assess};
use crate::metrics::Metrics;
use crate::state::Ops;

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
    metrics: Arc<Metrics>,
    ep: E,
    req: Request,
) -> poem::Result<Response> {
    let method = req.method().clone();
    let method = method.as_str();
    let route = route_label(req.uri().path());
    let span = tracing::info_span!(
        "http.request",
        otel.name = %format_args!("{method} {route}"),
        otel.kind = "server",
        http.request.method = %method,
        http.route = route,
        http.response.status_code = tracing::field::Empty,
    );
    let started = Instant::now();
    let result = ep
        .call(req)
        .instrument(span.clone())
        .await
        .map(IntoResponse::into_response);
    let status = match &result {
        Ok(resp) => resp.status(),
        Err(err) => err.status(),
    };
    span.record("http.response.status_code", status.as_u16());
    metrics.observe_request(method, route, status.as_str(), started.elapsed());
    result
}

#[handler]
pub async fn render(Data(ops): Data<&Ops>) -> Response {
    let depth = async {
        if let Some(queue) = &ops.queue {
            match queue.depth().await {
                Ok(depth) => ops.metrics.observe_queue_depth(depth),
                Err(error) => tracing::warn!(%error, "queue depth unavailable"),
            }
        }
    };
    let ((), readiness) = tokio::join!(depth, assess(&ops.dependencies));
    observe_readiness(&ops.metrics, &readiness);
    let mut body = Vec::new();
    let encoder = prometheus::TextEncoder::new();
    match encoder.encode(&ops.metrics.registry().gather(), &mut body) {
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

/// Records each dependency's state (`moneta_dependency_up`).
pub fn observe_readiness(metrics: &Metrics, readiness: &Readiness) {
    for check in &readiness.checks {
        metrics.observe_dependency(check.report.name, check.required, check.report.ok);
    }
}
