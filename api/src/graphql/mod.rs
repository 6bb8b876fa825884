//! The GraphQL schema, split by area and merged here.

pub mod admission;
mod context;
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
mod subscription;
pub mod types;
mod validation;

use async_graphql::dataloader::DataLoader;
use async_graphql::{Schema, SchemaBuilder};

pub use context::{identity, services};
pub use documents::Documents;
pub use loaders::AccountLoader;
pub use mutation::MutationRoot;
pub use persisted::{Persisted, Trust, client_documents, document_id};
pub use query::QueryRoot;
pub use subscription::SubscriptionRoot;

use crate::metrics::Metrics;
use crate::state::{ApiConfig, Services};

pub type MonetaSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// The schema's types with the production limits, before data is added.
fn builder(limits: Limits) -> SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
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
    let mut builder = builder(Limits::PRODUCTION)
        .data(services)
        .data(accounts)
        .extension(observe::Observe(metrics));
    if !config.developer_tools {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
}

/// A schema without services: for validating documents against `limits`
/// (every resolver fails, but validation and limits run first).
pub fn validation_schema(limits: Limits) -> MonetaSchema {
    builder(limits).finish()
}

/// The schema's SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    builder(Limits::PRODUCTION).finish().sdl()
}
