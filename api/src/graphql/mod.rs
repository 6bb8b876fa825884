//! The GraphQL schema, split by area and merged here.

pub mod admission;
mod context;
mod cost;
mod documents;
pub mod ids;
pub mod limits;
mod loaders;
mod login_throttle;
mod mutation;
mod observe;
mod persisted;
pub(crate) mod query;
mod rate_limit;
pub mod responses;
mod subscription;
pub mod types;
mod validation;

use async_graphql::dataloader::DataLoader;
use async_graphql::{Schema, SchemaBuilder};
use moneta_core::ports::Bucket;

pub use context::{identity, services};
pub use cost::{caller, charge, cost_value};
pub use documents::Documents;
pub use loaders::AccountLoader;
pub use mutation::MutationRoot;
pub use persisted::{Persisted, Trust, client_documents, document_id};
pub use query::QueryRoot;
pub use subscription::SubscriptionRoot;

use crate::metrics::Metrics;
use crate::state::{ApiConfig, Services};

pub type MonetaSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// The schema's types with `limits` (and, for serving, each caller's
/// cost bucket: charged once the document passed its limits), before
/// data is added.
fn builder(
    limits: Limits,
    costs: Option<Bucket>,
) -> SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    let mut builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    );
    // The first extension is the outermost: the charge wraps the check.
    if let Some(bucket) = costs {
        builder = builder.extension(cost::Costs(bucket));
    }
    builder
        .extension(validation::Validation::new(limits))
        .limit_recursive_depth(limits::MAX_RECURSIVE_DEPTH)
        .limit_directives(limits::MAX_DIRECTIVES)
}

/// Query limits a schema enforces.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub depth: usize,
    pub complexity: usize,
}

impl Limits {
    pub const PRODUCTION: Self = Self {
        depth: limits::MAX_DEPTH,
        complexity: limits::MAX_COMPLEXITY,
    };
}

/// The schema, with the services resolvers use.
pub fn build(services: Services, metrics: Metrics, config: ApiConfig) -> MonetaSchema {
    let accounts = DataLoader::new(
        loaders::AccountLoader {
            accounts: services.accounts.clone(),
        },
        tokio::spawn,
    );
    let mut builder = builder(Limits::PRODUCTION, Some(config.cost_bucket))
        .data(services)
        .data(accounts)
        .extension(responses::Invalidate)
        .extension(observe::Observe(metrics));
    if !config.developer_tools {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
}

/// A schema without services: for validating documents against `limits`
/// (every resolver fails, but validation and limits run first).
pub fn validation_schema(limits: Limits) -> MonetaSchema {
    builder(limits, None).finish()
}

/// The schema's SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    builder(Limits::PRODUCTION, None).finish().sdl()
}
