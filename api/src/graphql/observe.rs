//! A schema extension that runs every operation in a `graphql` span named
//! after the operation (never its variables) and counts it, and keeps the
//! subscription gauge.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextSubscribe,
};
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use async_graphql::{Response, ServerResult, Variables};
use futures_util::StreamExt as _;
use futures_util::stream::BoxStream;
use tracing::Instrument as _;

use crate::metrics::Metrics;

/// Installs [`Observed`] on a schema.
pub struct Observe(pub Metrics);

impl ExtensionFactory for Observe {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Observed {
            metrics: self.0.clone(),
            operations: Mutex::new(Vec::new()),
        })
    }
}

/// One request's observer.
struct Observed {
    metrics: Metrics,
    /// The parsed document's operations: name and type.
    operations: Mutex<Vec<(Option<String>, OperationType)>>,
}

fn type_label(ty: OperationType) -> &'static str {
    match ty {
        OperationType::Query => "query",
        OperationType::Mutation => "mutation",
        OperationType::Subscription => "subscription",
    }
}

impl Observed {
    /// The type of the operation that runs: the named one, else the only one.
    fn kind(&self, name: Option<&str>) -> &'static str {
        let operations = self
            .operations
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let found = match name {
            Some(name) => operations.iter().find(|(n, _)| n.as_deref() == Some(name)),
            None if operations.len() == 1 => operations.first(),
            None => None,
        };
        found.map_or("unknown", |(_, ty)| type_label(*ty))
    }
}

#[async_trait::async_trait]
impl Extension for Observed {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        let operations = match &document.operations {
            DocumentOperations::Single(op) => vec![(None, op.node.ty)],
            DocumentOperations::Multiple(ops) => ops
                .iter()
                .map(|(name, op)| (Some(name.to_string()), op.node.ty))
                .collect(),
        };
        *self
            .operations
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = operations;
        Ok(document)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let kind = self.kind(operation_name);
        let name = operation_name.unwrap_or("anonymous");
        let span = tracing::info_span!(
            "graphql.operation",
            otel.name = %format_args!("{kind} {name}"),
            graphql.operation.type = kind,
            graphql.operation.name = name,
            graphql.errors = tracing::field::Empty,
        );
        let started = Instant::now();
        let response = next.run(ctx, operation_name).instrument(span.clone()).await;
        if !response.errors.is_empty() {
            span.record("graphql.errors", response.errors.len());
        }
        self.metrics
            .observe_operation(kind, response.errors.is_empty(), started.elapsed());
        response
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        let guard = self.metrics.subscription();
        next.run(ctx, stream)
            .map(move |response| {
                let _counted = &guard;
                response
            })
            .boxed()
    }
}
