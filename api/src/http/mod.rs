//! Routes.

mod bearer;
pub mod client_ip;
mod graphql;
mod health;
pub mod metrics;
pub mod ws;

use poem::{EndpointExt as _, IntoEndpoint, Route, get, post};

use crate::graphql::build;
use crate::state::{ApiConfig, Ops, Services};

/// The whole API: GraphQL over HTTP and WebSocket plus the ops endpoints.
pub fn api_routes(services: Services, ops: Ops, config: ApiConfig) -> impl IntoEndpoint {
    let developer_tools = config.developer_tools;
    let trusted_proxies = config.trusted_proxies.clone();
    let schema = build(services.clone(), ops.metrics.clone(), config);
    let mut graphql = post(graphql::execute);
    if developer_tools {
        graphql = graphql.get(graphql::graphiql);
    }
    let metrics = ops.metrics.clone();
    let documents = crate::graphql::Documents::default();
    let sockets = ws::Sockets::new(
        schema.clone(),
        documents.clone(),
        services.clone(),
        metrics.clone(),
    );
    with_ops(Route::new(), ops)
        .at("/graphql", graphql)
        .at("/graphql/ws", get(ws::upgrade).data(sockets))
        .data(schema)
        .data(services)
        .data(trusted_proxies)
        .data(documents)
        .data(metrics.clone())
        .around(move |ep, req| metrics::observe(metrics.clone(), ep, req))
}

/// Only the ops endpoints: for the worker role.
pub fn ops_routes(ops: Ops) -> impl IntoEndpoint {
    let metrics = ops.metrics.clone();
    with_ops(Route::new(), ops).around(move |ep, req| metrics::observe(metrics.clone(), ep, req))
}

fn with_ops(route: Route, ops: Ops) -> Route {
    route
        .at("/healthz", get(health::healthz))
        .at("/readyz", get(health::readyz.data(ops.clone())))
        .at("/metrics", get(metrics::render.data(ops)))
}
