//! Routes.

mod bearer;
pub mod client_ip;
mod graphql;
mod health;
pub mod metrics;
mod web;
pub mod ws;

use std::sync::Arc;

use poem::{EndpointExt as _, IntoEndpoint, Route, get, post};

use crate::graphql::{Persisted, build};
use crate::state::{ApiConfig, Ops, Services};

/// The whole API: GraphQL over HTTP and WebSocket plus the ops endpoints.
pub fn api_routes(services: Services, ops: Ops, config: ApiConfig) -> impl IntoEndpoint {
    let graphiql = config.developer_tools;
    let trusted_proxies = config.trusted_proxies.clone();
    let persisted = Persisted::new(
        config.trust,
        services.cache.store(),
        config.operator_token.clone(),
    );
    let cost_bucket = config.cost_bucket;
    let schema = build(services.clone(), ops.metrics.clone(), config);
    let metrics = ops.metrics.clone();
    let documents = crate::graphql::Documents::default();
    let sockets = ws::Sockets::new(
        schema.clone(),
        documents.clone(),
        persisted.clone(),
        services.clone(),
        metrics.clone(),
        trusted_proxies.clone(),
    );
    let served = graphql::Served {
        schema: schema.clone(),
        documents: documents.clone(),
        persisted,
        services: services.clone(),
        trusted_proxies: trusted_proxies.clone(),
        graphiql,
        cost_bucket,
        metrics: metrics.clone(),
    };
    let observed = Arc::new(metrics);
    // Each route's state is one `Arc`: `data` clones it into every
    // request (the services themselves would be dozens of clones).
    with_ops(Route::new(), ops)
        .at(
            "/graphql",
            post(graphql::execute)
                .get(graphql::execute_get)
                .data(Arc::new(served)),
        )
        .at("/graphql/ws", get(ws::upgrade).data(Arc::new(sockets)))
        .at("/", web::WebApp)
        .at("/*path", web::WebApp)
        .around(move |ep, req| metrics::observe(observed.clone(), ep, req))
}

/// Only the ops endpoints: for the worker role.
pub fn ops_routes(ops: Ops) -> impl IntoEndpoint {
    let observed = Arc::new(ops.metrics.clone());
    with_ops(Route::new(), ops).around(move |ep, req| metrics::observe(observed.clone(), ep, req))
}

fn with_ops(route: Route, ops: Ops) -> Route {
    route
        .at("/healthz", get(health::healthz))
        .at("/readyz", get(health::readyz.data(ops.clone())))
        .at("/metrics", get(metrics::render.data(ops)))
}
